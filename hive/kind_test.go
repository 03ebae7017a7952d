package hive

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		content  Kind
		embedded string
		path     string
		want     Classification
	}{
		{"sparse SOFTWARE at its place", KindUnknown, `temRoot\System32\Config\SOFTWARE`, "C/Windows/System32/config/SOFTWARE",
			Classification{Kind: KindSoftware, By: []string{ByEmbeddedName, ByLocation, ByFileName}}},
		{"sparse SOFTWARE, embedded name only", KindUnknown, `\SystemRoot\System32\Config\SOFTWARE`, "",
			Classification{Kind: KindSoftware, By: []string{ByEmbeddedName}}},
		{"location and embedded name beat odd root keys", KindNTUser, `\SystemRoot\System32\Config\SOFTWARE`, `disk.E01 > partition 2 > \Windows\System32\config\SOFTWARE`,
			Classification{Kind: KindSoftware, By: []string{ByEmbeddedName, ByLocation, ByFileName}, Against: []string{"root keys says NTUSER"}}},
		{"differencing SOFTWARE layer", KindSoftware, `ndboxState\Hives\software_Delta`, "layer/Hives/Software_Delta",
			Classification{Kind: KindSoftware, By: []string{ByContent, ByEmbeddedName, ByLocation, ByFileName}}},
		{"DEFAULT shares the profile layout", KindNTUser, `temRoot\System32\Config\DEFAULT`, "Win11/DEFAULT",
			Classification{Kind: KindDefault, By: []string{ByContent, ByEmbeddedName, ByFileName}}},
		{"DEFAULT by location alone", KindNTUser, "", "C/Windows/System32/config/DEFAULT",
			Classification{Kind: KindDefault, By: []string{ByContent, ByLocation, ByFileName}}},
		{"service profile", KindNTUser, `rofiles\LocalService\NTUSER.DAT`, "C/Windows/ServiceProfiles/LocalService/NTUSER.DAT",
			Classification{Kind: KindNTUser, By: []string{ByContent, ByEmbeddedName, ByLocation, ByFileName}}},
		{"BBI", KindUnknown, `\SystemRoot\System32\Config\BBI`, "Win11/BBI",
			Classification{Kind: KindBBI, By: []string{ByEmbeddedName, ByFileName}}},
		{"ELAM in any case", KindUnknown, `C:\Windows\system32\Config\Elam`, "",
			Classification{Kind: KindELAM, By: []string{ByEmbeddedName}}},
		{"BCD template", KindBCD, `ws\System32\config\BCD-Template`, "",
			Classification{Kind: KindBCD, By: []string{ByContent, ByEmbeddedName}}},
		{"app hive", KindUnknown, "", "Users/bob/AppData/Local/Packages/Microsoft.Windows.Photos_8wekyb3d8bbwe/Settings/settings.dat",
			Classification{Kind: KindSettings, By: []string{ByLocation, ByFileName}}},
		{"file name alone is the last resort", KindUnknown, "", "case/SAM",
			Classification{Kind: KindSAM, By: []string{ByFileName}}},
		{"renamed file keeps its content", KindSystem, "SYSTEM", "case/evidence-1.hiv",
			Classification{Kind: KindSystem, By: []string{ByContent, ByEmbeddedName}}},
		{"misnamed file is said so", KindSystem, "", "case/NTUSER.DAT",
			Classification{Kind: KindSystem, By: []string{ByContent}, Against: []string{"file name says NTUSER"}}},
		{"nothing to go on", KindUnknown, `:\Users\User\Desktop\1\FuseHive`, "yarp/FuseHive",
			Classification{Kind: KindUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.content, tt.embedded, tt.path)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("classify(%v, %q, %q) (-want +got):\n%s", tt.content, tt.embedded, tt.path, diff)
			}
		})
	}
}

func TestParseKindRoundTrip(t *testing.T) {
	for _, k := range Kinds() {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k, got, err)
		}
	}
	if _, err := ParseKind("HKCU"); err == nil {
		t.Error("ParseKind(HKCU): no error")
	}
}

// FuzzClassify: any embedded name and path classify without panicking, to a
// known kind, with each piece of evidence on one side only.
func FuzzClassify(f *testing.F) {
	f.Add(uint8(0), `\SystemRoot\System32\Config\SOFTWARE`, "C/Windows/System32/config/SOFTWARE")
	f.Add(uint8(3), `rofiles\LocalService\NTUSER.DAT`, `disk.E01 > partition 2 > \Windows\ServiceProfiles\LocalService\NTUSER.DAT`)
	f.Add(uint8(7), "", "/")
	f.Fuzz(func(t *testing.T, content uint8, embedded, path string) {
		c := classify(Kind(int(content)%len(kindNames)), embedded, path)
		if c.Kind < 0 || int(c.Kind) >= len(kindNames) {
			t.Fatalf("kind %d out of range", c.Kind)
		}
		seen := map[string]bool{}
		for _, b := range c.By {
			seen[b] = true
		}
		for _, a := range c.Against {
			by, _, _ := strings.Cut(a, " says ")
			if seen[by] {
				t.Fatalf("%q both for and against: %+v", by, c)
			}
		}
	})
}
