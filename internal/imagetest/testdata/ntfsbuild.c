/*
 * ntfsbuild: populate an NTFS volume image through libntfs-3g, for tests.
 * ntfscp cannot create folders; this helper can.
 *
 *   ntfsbuild IMAGE SPEC
 *
 * SPEC has one line per item, parents first:
 *   d PATH            create folder PATH (slash-separated, from the root)
 *   f PATH HOSTFILE   create file PATH with the bytes of HOSTFILE
 * PATH may not contain tabs; fields are separated by one tab. Within a
 * component, %XX (two hex digits) stands for that byte, so that names
 * Windows would refuse can be written: "..", ".", "a%2Fb" (a slash inside
 * a name), "%25" for a percent sign. Each component is looked up in its
 * parent's index by name, never through a path parser, so ".." is a name
 * like any other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

/* unescape decodes %XX in place. */
static void unescape(char *s) {
	char *out = s;
	for (; *s; s++) {
		unsigned v;
		if (s[0] == '%' && s[1] && s[2] && sscanf(s + 1, "%2x", &v) == 1) {
			*out++ = (char)v;
			s += 2;
		} else {
			*out++ = *s;
		}
	}
	*out = 0;
}

/* lookup opens the folder PATH (escaped components, "" for the root) by
 * looking each component up in its parent's index. */
static ntfs_inode *lookup(ntfs_volume *vol, char *path) {
	ntfs_inode *dir = ntfs_inode_open(vol, FILE_root);
	char *save = NULL;
	for (char *c = strtok_r(path, "/", &save); dir && c; c = strtok_r(NULL, "/", &save)) {
		unescape(c);
		ntfschar *uname = NULL;
		int ulen = ntfs_mbstoucs(c, &uname);
		if (ulen < 0) {
			ntfs_inode_close(dir);
			return NULL;
		}
		u64 ref = ntfs_inode_lookup_by_name(dir, uname, ulen);
		free(uname);
		ntfs_inode_close(dir);
		if (ref == (u64)-1)
			return NULL;
		dir = ntfs_inode_open(vol, MREF(ref));
	}
	return dir;
}

/* readHost reads the whole file HOST into a new buffer. */
static char *readHost(const char *host, long *size) {
	FILE *in = fopen(host, "rb");
	if (!in) {
		fprintf(stderr, "%s: %s\n", host, strerror(errno));
		return NULL;
	}
	fseek(in, 0, SEEK_END);
	*size = ftell(in);
	fseek(in, 0, SEEK_SET);
	char *buf = malloc(*size ? *size : 1);
	if (fread(buf, 1, *size, in) != (size_t)*size) {
		fprintf(stderr, "%s: short read\n", host);
		fclose(in);
		free(buf);
		return NULL;
	}
	fclose(in);
	return buf;
}

/* parentOf splits PATH into its folder, which it opens, and its last
 * component (unescaped), left in *name. */
static ntfs_inode *parentOf(ntfs_volume *vol, char *path, char **name) {
	char *slash = strrchr(path, '/');
	char root[] = "";
	char *parent = root;
	*name = path;
	if (slash) {
		*slash = 0;
		parent = path;
		*name = slash + 1;
	}
	unescape(*name);
	ntfs_inode *dir = lookup(vol, parent);
	if (!dir)
		fprintf(stderr, "parent %s: %s\n", parent, strerror(errno));
	return dir;
}

static int create(ntfs_volume *vol, char *path, const char *host) {
	char *name;
	ntfs_inode *dir = parentOf(vol, path, &name);
	if (!dir)
		return -1;
	ntfschar *uname = NULL;
	int ulen = ntfs_mbstoucs(name, &uname);
	if (ulen < 0) {
		fprintf(stderr, "name %s: %s\n", name, strerror(errno));
		return -1;
	}
	ntfs_inode *ni = ntfs_create(dir, const_cpu_to_le32(0), uname, ulen, host ? S_IFREG : S_IFDIR);
	if (!ni) {
		fprintf(stderr, "create %s: %s\n", name, strerror(errno));
		return -1;
	}
	int rc = 0;
	if (host) {
		long size = 0;
		char *buf = readHost(host, &size);
		if (!buf)
			return -1;
		ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0);
		if (!na) {
			fprintf(stderr, "open data %s: %s\n", name, strerror(errno));
			return -1;
		}
		if (size && ntfs_attr_pwrite(na, 0, size, buf) != size) {
			fprintf(stderr, "write %s: %s\n", name, strerror(errno));
			rc = -1;
		}
		ntfs_attr_close(na);
		free(buf);
	}
	free(uname);
	/* Closing the child through its parent keeps one copy of the parent's
	 * index in memory; a plain close would let the stale one win. */
	ntfs_inode_close_in_dir(ni, dir);
	ntfs_inode_close(dir);
	return rc;
}

/* stream writes the named data stream STREAM of the existing file PATH
 * from HOST (an alternate data stream). */
static int stream(ntfs_volume *vol, char *path, const char *sname, const char *host) {
	ntfs_inode *ni = lookup(vol, path);
	if (!ni) {
		fprintf(stderr, "stream: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ntfschar *uname = NULL;
	int ulen = ntfs_mbstoucs(sname, &uname);
	long size = 0;
	char *buf = readHost(host, &size);
	int rc = -1;
	if (ulen > 0 && buf && ntfs_attr_add(ni, AT_DATA, uname, ulen, NULL, 0) == 0) {
		ntfs_attr *na = ntfs_attr_open(ni, AT_DATA, uname, ulen);
		if (na && (size == 0 || ntfs_attr_pwrite(na, 0, size, buf) == size))
			rc = 0;
		if (na)
			ntfs_attr_close(na);
	}
	if (rc != 0)
		fprintf(stderr, "stream %s:%s: %s\n", path, sname, strerror(errno));
	free(buf);
	free(uname);
	ntfs_inode_close(ni);
	return rc;
}

/* stamp sets the four $STANDARD_INFORMATION times of PATH to FILETIME (100 ns
 * units since 1601), leaving the $FILE_NAME times as created: a timestomp. */
static int stamp(ntfs_volume *vol, char *path, const char *filetime) {
	ntfs_inode *ni = lookup(vol, path);
	if (!ni) {
		fprintf(stderr, "stamp: %s: %s\n", path, strerror(errno));
		return -1;
	}
	sle64 t = cpu_to_sle64(strtoll(filetime, NULL, 10));
	ni->creation_time = ni->last_data_change_time = ni->last_mft_change_time = ni->last_access_time = t;
	ntfs_inode_mark_dirty(ni);
	return ntfs_inode_close(ni);
}

/* erase deletes the file PATH (its MFT record is freed, its name stays in
 * the record until the record is reused). */
static int erase(ntfs_volume *vol, char *path) {
	char *name;
	ntfs_inode *dir = parentOf(vol, path, &name);
	if (!dir)
		return -1;
	ntfschar *uname = NULL;
	int ulen = ntfs_mbstoucs(name, &uname);
	u64 ref = ulen < 0 ? (u64)-1 : ntfs_inode_lookup_by_name(dir, uname, ulen);
	ntfs_inode *ni = ref == (u64)-1 ? NULL : ntfs_inode_open(vol, MREF(ref));
	if (!ni) {
		fprintf(stderr, "erase %s: %s\n", name, strerror(errno));
		ntfs_inode_close(dir);
		return -1;
	}
	int rc = ntfs_delete(vol, NULL, ni, dir, uname, ulen);
	if (rc != 0)
		fprintf(stderr, "erase %s: %s\n", name, strerror(errno));
	free(uname);
	return rc;
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: ntfsbuild IMAGE SPEC\n");
		return 2;
	}
	ntfs_volume *vol = ntfs_mount(argv[1], 0);
	if (!vol) {
		fprintf(stderr, "mount %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	FILE *spec = fopen(argv[2], "r");
	if (!spec) {
		fprintf(stderr, "%s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	char line[8192];
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof line, spec)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0])
			continue;
		char *kind = strtok(line, "\t");
		char *path = strtok(NULL, "\t");
		char *host = strtok(NULL, "\t");
		if (!kind || !path || (kind[0] == 'f' && !host)) {
			fprintf(stderr, "bad spec line\n");
			rc = 1;
			break;
		}
		if (kind[0] == 's') {
			char *src = strtok(NULL, "\t");
			if (!host || !src || stream(vol, path, host, src) != 0)
				rc = 1;
			continue;
		}
		if (kind[0] == 'x') {
			if (erase(vol, path) != 0)
				rc = 1;
			continue;
		}
		if (kind[0] == 't') {
			if (!host || stamp(vol, path, host) != 0)
				rc = 1;
			continue;
		}
		if (create(vol, path, kind[0] == 'f' ? host : NULL) != 0)
			rc = 1;
	}
	fclose(spec);
	if (ntfs_umount(vol, FALSE) != 0) {
		fprintf(stderr, "umount: %s\n", strerror(errno));
		rc = 1;
	}
	return rc;
}
