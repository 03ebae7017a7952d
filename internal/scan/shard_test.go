package scan

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		flag  string
		count int
		env   map[string]string
		want  Shard
		err   string
	}{
		{flag: "", want: Shard{}},
		{flag: "2/5", want: Shard{2, 5}},
		{flag: " 0/1 ", want: Shard{0, 1}},
		{flag: "5/5", err: "want 0 <= index < count"},
		{flag: "-1/3", err: "want 0 <= index < count"},
		{flag: "1/0", err: "want 0 <= index < count"},
		{flag: "3", err: "want I/N"},
		{flag: "a/b", err: "invalid syntax"},
		{flag: "auto", err: "no job engine found"},
		// Kubernetes Indexed Job: the count from the flag or HIVESCAN_SHARD_COUNT.
		{flag: "auto", env: map[string]string{"JOB_COMPLETION_INDEX": "3", "HIVESCAN_SHARD_COUNT": "8"}, want: Shard{3, 8}},
		{flag: "AUTO", count: 4, env: map[string]string{"JOB_COMPLETION_INDEX": "3", "HIVESCAN_SHARD_COUNT": "8"}, want: Shard{3, 4}},
		{flag: "auto", env: map[string]string{"JOB_COMPLETION_INDEX": "3"}, err: "--shard-count or HIVESCAN_SHARD_COUNT"},
		{flag: "auto", env: map[string]string{"JOB_COMPLETION_INDEX": "x"}, err: "JOB_COMPLETION_INDEX"},
		// Slurm, including arrays that do not start at 0.
		{flag: "auto", env: map[string]string{"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "16"}, want: Shard{7, 16}},
		{flag: "auto", env: map[string]string{"SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "4"}, want: Shard{2, 4}},
		{flag: "auto", env: map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, err: "SLURM_ARRAY_TASK_COUNT is not set"},
		// AWS Batch.
		{flag: "auto", env: map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "0", "HIVESCAN_SHARD_COUNT": "2"}, want: Shard{0, 2}},
		{flag: "auto", env: map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "2", "HIVESCAN_SHARD_COUNT": "2"}, err: "want 0 <= index < count"},
		// Without auto the environment is never read.
		{flag: "1/2", env: map[string]string{"JOB_COMPLETION_INDEX": "0", "HIVESCAN_SHARD_COUNT": "8"}, want: Shard{1, 2}},
		{flag: "", env: map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"}, want: Shard{}},
	} {
		t.Run(fmt.Sprintf("%s/%d/%v", tc.flag, tc.count, tc.env), func(t *testing.T) {
			got, err := ParseShard(tc.flag, tc.count, func(k string) string { return tc.env[k] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// Every identity belongs to exactly one shard, and the split is even
// enough to be worth it.
func TestShardOwns(t *testing.T) {
	for _, n := range []int{1, 3, 7} {
		counts := make([]int, n)
		for h := range 700 {
			id := fmt.Sprintf("/cases/42\x00host-%d", h)
			owners := 0
			for i := range n {
				if (Shard{i, n}).Owns(id) {
					owners++
					counts[i]++
				}
			}
			if owners != 1 {
				t.Fatalf("%s owned by %d shards of %d", id, owners, n)
			}
		}
		for i, c := range counts {
			if c < 700/n/2 {
				t.Errorf("shard %d/%d owns %d of 700", i, n, c)
			}
		}
	}
}
