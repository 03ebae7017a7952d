package scan

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/hivescan/hivescan/hive/evidence"
)

// Shard is one part of a scan split across the tasks of a job engine's
// array job: the hosts whose identity hashes to Index modulo Count. The zero
// Shard (or Count 1) is the whole scan. Problems that belong to no host
// (unreadable paths, files that are no hive) are reported by shard 0.
type Shard struct {
	Index, Count int
}

// Owns reports whether the shard scans the host of that identity. The hash
// is FNV-1a 64, fixed: every task of an array job agrees on the split.
func (s Shard) Owns(identity string) bool {
	if s.Count <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(identity))
	return h.Sum64()%uint64(s.Count) == uint64(s.Index)
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// hostIdentity names a host the same way in every task: the evidence it
// came from as given on the command line and its name there.
func hostIdentity(src evidence.Source, h *evidence.Host) string {
	return src.Name + "\x00" + h.Name
}

// ParseShard reads --shard: "I/N" (0 <= I < N), or "auto" to take the index
// and count from the job engine running the task (getenv is os.Getenv):
//
//   - Kubernetes Indexed Job: JOB_COMPLETION_INDEX, with the count in
//     HIVESCAN_SHARD_COUNT (the Job's completions; count overrides it);
//   - Slurm job array: SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT
//     (with SLURM_ARRAY_TASK_MIN subtracted, for arrays not starting at 0);
//   - AWS Batch array job: AWS_BATCH_JOB_ARRAY_INDEX, with the count in
//     HIVESCAN_SHARD_COUNT (Batch does not tell the array size).
//
// count, when not 0, is the --shard-count flag. "" is the whole scan.
func ParseShard(s string, count int, getenv func(string) string) (Shard, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Shard{}, nil
	case strings.EqualFold(s, "auto"):
		return autoShard(count, getenv)
	}
	i, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want I/N (e.g. 0/8) or auto", s)
	}
	idx, err1 := strconv.Atoi(i)
	cnt, err2 := strconv.Atoi(n)
	if err := errors.Join(err1, err2); err != nil {
		return Shard{}, fmt.Errorf("shard %q: %w", s, err)
	}
	return checkShard(idx, cnt)
}

func checkShard(idx, cnt int) (Shard, error) {
	if cnt < 1 || idx < 0 || idx >= cnt {
		return Shard{}, fmt.Errorf("shard %d/%d: want 0 <= index < count", idx, cnt)
	}
	return Shard{Index: idx, Count: cnt}, nil
}

func autoShard(count int, getenv func(string) string) (Shard, error) {
	num := func(name string) (int, bool, error) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, true, fmt.Errorf("%s=%q: %w", name, v, err)
		}
		return n, true, nil
	}
	countFrom := func(engine string) (int, error) {
		if count > 0 {
			return count, nil
		}
		n, ok, err := num("HIVESCAN_SHARD_COUNT")
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, fmt.Errorf("--shard auto under %s: give the number of tasks with --shard-count or HIVESCAN_SHARD_COUNT", engine)
		}
		return n, nil
	}
	if idx, ok, err := num("JOB_COMPLETION_INDEX"); ok || err != nil {
		if err != nil {
			return Shard{}, err
		}
		cnt, err := countFrom("a Kubernetes Indexed Job")
		if err != nil {
			return Shard{}, err
		}
		return checkShard(idx, cnt)
	}
	if id, ok, err := num("SLURM_ARRAY_TASK_ID"); ok || err != nil {
		if err != nil {
			return Shard{}, err
		}
		lo, _, err := num("SLURM_ARRAY_TASK_MIN")
		if err != nil {
			return Shard{}, err
		}
		cnt := count
		if cnt == 0 {
			n, ok, err := num("SLURM_ARRAY_TASK_COUNT")
			if err != nil {
				return Shard{}, err
			}
			if !ok {
				return Shard{}, errors.New("--shard auto under Slurm: SLURM_ARRAY_TASK_COUNT is not set")
			}
			cnt = n
		}
		return checkShard(id-lo, cnt)
	}
	if idx, ok, err := num("AWS_BATCH_JOB_ARRAY_INDEX"); ok || err != nil {
		if err != nil {
			return Shard{}, err
		}
		cnt, err := countFrom("an AWS Batch array job")
		if err != nil {
			return Shard{}, err
		}
		return checkShard(idx, cnt)
	}
	return Shard{}, errors.New("--shard auto: no job engine found (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or AWS_BATCH_JOB_ARRAY_INDEX)")
}
