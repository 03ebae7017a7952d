package com

import (
	"context"
	"fmt"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
)

var comAnalyzers = []*analysis.Analyzer{COMHijack, COMAutostart}

// BenchmarkCOMCorpus runs comhijack and comautostart over the biggest
// SOFTWARE hive of the corpus with the Windows 11 UsrClass.dat (29
// per-user CLSIDs, OneDrive's), as one host.
func BenchmarkCOMCorpus(b *testing.B) {
	var sw corpus.Entry
	for _, m := range corpus.Manifest(b) {
		if m.Kind == "SOFTWARE" && m.Size > sw.Size {
			sw = m
		}
	}
	set := &hive.Set{Host: "bench"}
	for _, p := range []string{sw.Path, "AndrewRathbun__DFIRArtifactMuseum/Windows/Registry/Win11/UsrClass.dat"} {
		h, err := hive.Open(corpus.Path(b, p))
		if err != nil {
			b.Fatal(err)
		}
		set.Add(&hive.Entry{Hive: h, Path: p, User: "AndrewRathbun"})
		b.Logf("%s %s", h.Kind(), p)
	}
	b.ResetTimer()
	for b.Loop() {
		analysis.Run(context.Background(), set, comAnalyzers)
	}
}

// BenchmarkCOMLargeMachine runs comhijack and comautostart over a builder
// host whose SOFTWARE registers 10,000 CLSIDs (a Windows 10 machine has
// 8,000-10,000) and whose user registers users CLSIDs, a third of them
// shadowing the machine's, with each lookup strategy: name lookups only,
// one listing up front, and the default (listing after indexAfter lookups).
func BenchmarkCOMLargeMachine(b *testing.B) {
	defer func(n int) { indexAfter = n }(indexAfter)
	for _, users := range []int{3, 30, 200} {
		h := newHost()
		for i := range 10000 {
			h.machineClass(fmt.Sprintf("{%08x-0000-4000-8000-%012x}", i, i), `%SystemRoot%\System32\x.dll`)
		}
		for i := range users {
			id := fmt.Sprintf("{%08x-0000-4000-8000-%012x}", i*50, i*50)
			if i >= users/3 {
				id = fmt.Sprintf("{%08x-1111-4000-8000-%012x}", i, i)
			}
			h.userClass(id, `C:\Users\alice\AppData\Local\Vendor\v.dll`)
		}
		set := analysistest.HostOf(b, "h", h.sys, h.sw, h.user, h.def, h.classes)
		for _, s := range []struct {
			name string
			n    int
		}{{"lookups", 1 << 30}, {"index", 0}, {"default", indexAfter}} {
			b.Run(fmt.Sprintf("users=%d/%s", users, s.name), func(b *testing.B) {
				indexAfter = s.n
				for b.Loop() {
					analysis.Run(context.Background(), set, comAnalyzers)
				}
			})
		}
	}
}
