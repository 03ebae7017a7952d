package target

import (
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// ErrNotPE is returned by ReadPE for a file without the MZ and PE signatures.
var ErrNotPE = errors.New("not a PE file")

// PE holds the facts of a PE file's headers and version resource.
type PE struct {
	Machine  string    // "amd64", "i386", "arm64", or "0x...." when unknown
	Is64     bool      // PE32+ optional header
	DLL      bool      // IMAGE_FILE_DLL set
	Subsys   string    // "windows-gui", "windows-cui", "native", ... or "0x...."
	LinkTime time.Time // TimeDateStamp of the file header, UTC; zero when 0
	// Signed reports an embedded Authenticode signature: a security data
	// directory that lies inside the file. It is not verified.
	Signed           bool
	OriginalFilename string // from the version resource's StringFileInfo
	CompanyName      string
	FileDescription  string
	ProductName      string
	FileVersion      string
}

// Read limits.
const (
	maxHeader  = 64 << 10 // bytes read for the DOS, file and optional headers
	maxRsrc    = 4 << 20  // bytes of the resource section read
	maxVersion = 64 << 10 // bytes of a version resource parsed
)

var machines = map[uint16]string{
	pe.IMAGE_FILE_MACHINE_I386: "i386", pe.IMAGE_FILE_MACHINE_AMD64: "amd64",
	pe.IMAGE_FILE_MACHINE_ARM64: "arm64", pe.IMAGE_FILE_MACHINE_ARMNT: "armnt",
	pe.IMAGE_FILE_MACHINE_IA64: "ia64",
}

var subsystems = map[uint16]string{
	pe.IMAGE_SUBSYSTEM_NATIVE: "native", pe.IMAGE_SUBSYSTEM_WINDOWS_GUI: "windows-gui",
	pe.IMAGE_SUBSYSTEM_WINDOWS_CUI: "windows-cui", pe.IMAGE_SUBSYSTEM_EFI_APPLICATION: "efi-application",
	pe.IMAGE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER: "efi-boot-driver", pe.IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER: "efi-runtime-driver",
	pe.IMAGE_SUBSYSTEM_WINDOWS_CE_GUI: "windows-ce-gui", pe.IMAGE_SUBSYSTEM_POSIX_CUI: "posix-cui",
}

// ReadPE reads the PE facts of the size bytes of r. It returns ErrNotPE for
// other files, and partial facts with an error when a later part (the
// version resource) is damaged.
func ReadPE(r io.ReaderAt, size int64) (pf *PE, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("PE parser panic: %v", p)
		}
	}()
	hdr := make([]byte, min(size, maxHeader))
	if _, err := r.ReadAt(hdr, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read PE header: %w", err)
	}
	if len(hdr) < 0x40 || hdr[0] != 'M' || hdr[1] != 'Z' {
		return nil, ErrNotPE
	}
	off := int64(binary.LittleEndian.Uint32(hdr[0x3c:]))
	if off+4 > int64(len(hdr)) || string(hdr[off:off+4]) != "PE\x00\x00" {
		return nil, ErrNotPE
	}
	pf = &PE{}
	if fh := hdr[off+4:]; len(fh) >= 20 {
		machine := binary.LittleEndian.Uint16(fh)
		pf.Machine = fmt.Sprintf("0x%04x", machine)
		if m, ok := machines[machine]; ok {
			pf.Machine = m
		}
		if ts := binary.LittleEndian.Uint32(fh[4:]); ts != 0 {
			pf.LinkTime = time.Unix(int64(ts), 0).UTC()
		}
		pf.DLL = binary.LittleEndian.Uint16(fh[18:])&pe.IMAGE_FILE_DLL != 0
	}
	f, err := pe.NewFile(io.NewSectionReader(r, 0, size))
	if err != nil {
		return pf, fmt.Errorf("PE headers: %w", err)
	}
	defer f.Close()
	var dirs []pe.DataDirectory
	var subsys uint16
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		dirs, subsys = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), 16)], oh.Subsystem
	case *pe.OptionalHeader64:
		dirs, subsys, pf.Is64 = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), 16)], oh.Subsystem, true
	default:
		return pf, nil
	}
	pf.Subsys = fmt.Sprintf("0x%04x", subsys)
	if s, ok := subsystems[subsys]; ok {
		pf.Subsys = s
	}
	if len(dirs) > pe.IMAGE_DIRECTORY_ENTRY_SECURITY {
		sec := dirs[pe.IMAGE_DIRECTORY_ENTRY_SECURITY]
		// The security directory's address is a file offset, not an RVA.
		pf.Signed = sec.Size >= 8 && sec.VirtualAddress > 0 && int64(sec.VirtualAddress)+int64(sec.Size) <= size
	}
	if len(dirs) > pe.IMAGE_DIRECTORY_ENTRY_RESOURCE && dirs[pe.IMAGE_DIRECTORY_ENTRY_RESOURCE].Size > 0 {
		if err := readVersion(f, dirs[pe.IMAGE_DIRECTORY_ENTRY_RESOURCE], pf); err != nil {
			return pf, err
		}
	}
	return pf, nil
}

// readVersion finds the first RT_VERSION resource and reads its strings.
func readVersion(f *pe.File, dir pe.DataDirectory, pf *PE) error {
	var sec *pe.Section
	for _, s := range f.Sections {
		if dir.VirtualAddress >= s.VirtualAddress && dir.VirtualAddress < s.VirtualAddress+max(s.VirtualSize, s.Size) {
			sec = s
			break
		}
	}
	if sec == nil {
		return errors.New("resource directory outside every section")
	}
	n := min(int64(sec.Size), maxRsrc)
	data := make([]byte, n)
	if _, err := sec.ReadAt(data, 0); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read resources: %w", err)
	}
	base := int64(dir.VirtualAddress - sec.VirtualAddress)
	rsrc := &resources{data: data, base: base, secRVA: sec.VirtualAddress}
	blob, err := rsrc.version()
	if err != nil || blob == nil {
		return err
	}
	strs := versionStrings(blob)
	pf.OriginalFilename = strs["OriginalFilename"]
	pf.CompanyName = strs["CompanyName"]
	pf.FileDescription = strs["FileDescription"]
	pf.ProductName = strs["ProductName"]
	pf.FileVersion = strs["FileVersion"]
	return nil
}

// resources walks a resource directory tree held in data, at most three
// levels deep (type, name, language), as Windows lays it out.
type resources struct {
	data   []byte
	base   int64  // offset of the root directory in data
	secRVA uint32 // RVA of data[0]
}

const rtVersion = 16

// version returns the bytes of the first RT_VERSION resource, or nil.
func (r *resources) version() ([]byte, error) {
	off, ok := r.child(0, rtVersion, true)
	if !ok {
		return nil, nil
	}
	// Name and language levels: take the first entry of each.
	for range 2 {
		if off, ok = r.child(off, 0, false); !ok {
			return nil, errors.New("truncated version resource directory")
		}
	}
	// off now points at an IMAGE_RESOURCE_DATA_ENTRY.
	e := r.base + off
	if e < 0 || e+16 > int64(len(r.data)) || off&(1<<31) != 0 {
		return nil, errors.New("version resource data entry out of range")
	}
	rva := binary.LittleEndian.Uint32(r.data[e:])
	size := int64(binary.LittleEndian.Uint32(r.data[e+4:]))
	start := int64(rva) - int64(r.secRVA)
	size = min(size, maxVersion)
	if start < 0 || start+size > int64(len(r.data)) {
		return nil, errors.New("version resource outside the resource section")
	}
	return r.data[start : start+size], nil
}

// child finds, in the directory at offset dir (relative to the root), the
// entry with integer id (or the first entry when byID is false) and returns
// the offset it points to. Subdirectory offsets keep no high bit.
func (r *resources) child(dir int64, id uint32, byID bool) (int64, bool) {
	d := r.base + dir
	if d < 0 || d+16 > int64(len(r.data)) {
		return 0, false
	}
	named := int64(binary.LittleEndian.Uint16(r.data[d+12:]))
	ids := int64(binary.LittleEndian.Uint16(r.data[d+14:]))
	for i := range min(named+ids, 4096) {
		e := d + 16 + i*8
		if e+8 > int64(len(r.data)) {
			return 0, false
		}
		name := binary.LittleEndian.Uint32(r.data[e:])
		target := binary.LittleEndian.Uint32(r.data[e+4:])
		if !byID || (name&(1<<31) == 0 && name == id) {
			return int64(target &^ (1 << 31)), true
		}
	}
	return 0, false
}
