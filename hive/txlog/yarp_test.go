package txlog

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"testing"
)

// The SHA-256 of the hive yarp (msuhanov/yarp, RegistryHive.recover_auto
// then save_recovered_hive) writes for each set. They were computed by
// running yarp on the corpus; Recover must produce the same bytes.
func TestRecoverEqualsYarp(t *testing.T) {
	const (
		rg = "mkorman90__regipy/regipy_tests/data/"
		am = "AndrewRathbun__DFIRArtifactMuseum/Windows/Amcache/"
	)
	tests := []struct {
		primary string
		logs    []string
		sha256  string
	}{
		{am + "Server2022/APTSimulatorVM/APTSimulatorVM_Amcache_Server2022/Amcache.hve", []string{"Amcache.hve.LOG1", "Amcache.hve.LOG2"}, "5103b71758b27410b361428ff88c8982f28fd18bfc337ac9d30fd33754cd6965"},
		{am + "Win10/APTSimulatorVM/Amcache.hve", []string{"Amcache.hve.LOG1", "Amcache.hve.LOG2"}, "0c17f0570abeea304852a89a5a3eafa95ff44c81f2637e66d143a94315a5cc6a"},
		{am + "Win10/RathbunVM/Amcache.hve", []string{"Amcache.hve.LOG1", "Amcache.hve.LOG2"}, "da77a4e859782fad8b2f641bb3f97cc1fb0ff6c9824d1ec9f8eb3942aff9b743"},
		{am + "Win11/RathbunVM/Amcache.hve", []string{"Amcache.hve.LOG1", "Amcache.hve.LOG2"}, "cb3d0c46c0d5de1579330f6e1b62c611946f3d40718cf31d681a142c34ba7229"},
		{rg + "SYSTEM_B", []string{"SYSTEM_B.LOG1", "SYSTEM_B.LOG2"}, "734095bf043ea72300feb8bc380a585d8a9c925cdd5ffc190ca5ff6bc5a7c231"},
		{rg + "UsrClass.dat", []string{"UsrClass.dat.LOG1", "UsrClass.dat.LOG2"}, "0c52ea278e8c524fd13c146b060f7801af7791a1cad5b04ae9e6e06617de0e3e"},
		{rg + "transactions_NTUSER.DAT", []string{"transactions_ntuser.dat.log1", "transactions_ntuser.dat.log2"}, "0a7a7b2d1eb24ab63455f5a83e554601d88fe558d0ba1c1068a7e1102c79a092"},
		{yarpDir + "BadBaseBlockHive/BadBaseBlockHive", []string{"BadBaseBlockHive.LOG1", "BadBaseBlockHive.LOG2"}, "89ad16ae7621dc675cbc64db0e32e593eefe0a7c2b947de20731d0eb99d4e1a5"},
		{yarpDir + "NewDirtyHive1/NewDirtyHive", []string{"NewDirtyHive.LOG1", "NewDirtyHive.LOG2"}, "5634f8ff937c181beabb047433a8d89ebc1dc352e969f65a1ee2a46b1fe66b63"},
		{yarpDir + "NewDirtyHive2/NewDirtyHive", []string{"NewDirtyHive.LOG1", "NewDirtyHive.LOG2"}, "5634f8ff937c181beabb047433a8d89ebc1dc352e969f65a1ee2a46b1fe66b63"},
		{yarpDir + "OldDirtyHive/OldDirtyHive", []string{"OldDirtyHive.LOG1", "OldDirtyHive.LOG2"}, "89ad16ae7621dc675cbc64db0e32e593eefe0a7c2b947de20731d0eb99d4e1a5"},
	}
	for _, tt := range tests {
		t.Run(tt.primary, func(t *testing.T) {
			var logs []string
			for _, l := range tt.logs {
				logs = append(logs, path.Join(path.Dir(tt.primary), l))
			}
			primary, ls := readSet(t, tt.primary, logs...)
			res, err := Recover(primary, ls)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(res.Data)
			if got := hex.EncodeToString(sum[:]); got != tt.sha256 {
				t.Errorf("sha256 %s, yarp's is %s", got, tt.sha256)
			}
		})
	}
}
