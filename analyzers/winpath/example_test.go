package winpath_test

import (
	"fmt"

	"github.com/hivescan/hivescan/analyzers/winpath"
)

func ExampleAssess() {
	env := winpath.Env{UserName: "alice"}
	for _, cmd := range []string{
		`%SystemRoot%\system32\svchost.exe -k netsvcs -p`,
		`C:\Windows\smss.exe`,
		`C:\Program Files\My App\app.exe -background`,
	} {
		a := winpath.Assess(cmd, env)
		fmt.Println(a.Summary())
		for _, r := range a.Reasons {
			fmt.Println(" ", r.Severity, r.Rule, r.Attack)
		}
		if a.Risk > 0 {
			fmt.Println("  risk", a.Risk)
		}
	}
	// Output:
	// info: C:\Windows\system32\svchost.exe
	// critical: C:\Windows\smss.exe [masquerade.location]
	//   critical masquerade.location [T1036.005]
	//   risk 0.75
	// medium: C:\Program Files\My App\app.exe [path.unquoted]
	//   medium path.unquoted [T1574.009]
}

func ExampleParseCommandLine() {
	cl := winpath.ParseCommandLine(`rundll32.exe "C:\Users\Public\a b.dll",Start -q`)
	fmt.Println(cl.Image)
	fmt.Println(cl.Launcher, cl.Payload, cl.Entry)
	fmt.Printf("%q\n", cl.Args)
	// Output:
	// rundll32.exe
	// rundll32 C:\Users\Public\a b.dll Start
	// ["C:\\Users\\Public\\a b.dll,Start" "-q"]
}

func ExampleEnv_Expand() {
	env := winpath.Env{
		UserName: "bob",
		XP:       true,
		System:   map[string]string{"A": "%B%", "B": "%A%"},
	}
	fmt.Println(env.Expand(`%APPDATA%\x.exe`))
	fmt.Println(env.Expand(`%systemroot%\system32`))
	fmt.Println(env.Expand(`%A% and %UNKNOWN%`))
	// Output:
	// C:\Documents and Settings\bob\Application Data\x.exe
	// C:\Windows\system32
	// %A% and %UNKNOWN%
}

func ExampleResolve() {
	p := winpath.Resolve(`\??\C:\ProgramData\x.txt:payload.exe`, winpath.Env{})
	fmt.Println(p.Full, p.Stream)
	p = winpath.Resolve(`system32\DRIVERS\ACPI.sys`, winpath.Env{})
	fmt.Println(p.Full, p.Relative, winpath.IsSystemDir(p))
	// Output:
	// C:\ProgramData\x.txt payload.exe
	// C:\Windows\system32\DRIVERS\ACPI.sys true true
}

func ExampleAssessPath() {
	a := winpath.AssessPath("C:\\Windows\\System32\\\u0455mss.exe", winpath.Env{})
	fmt.Println(a.Severity, a.Reasons[0].Rule)
	// Output:
	// critical masquerade.confusable
}

func ExampleCriticalName() {
	fmt.Println(winpath.CriticalName("RUNTIMEBROKER.EXE"))
	fmt.Println(winpath.CriticalName("notepad.exe"))
	// Output:
	// RuntimeBroker.exe true
	//  false
}

func ExampleScanData() {
	for _, r := range winpath.ScanData([]byte("TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA4fug4AtAnNIbgBTM0hVGhpcyBwcm9ncmFt")) {
		fmt.Println(r.Severity, r.Rule, r.Attack)
	}
	// Output:
	// critical payload.pe-base64 [T1027.011 T1140]
}
