// SPDX-License-Identifier: GPL-2.0-or-later

// memtag-pprof-read: an independent reader of tagctl's pprof export. It
// parses the file with pprof's own package (github.com/google/pprof/profile),
// checks it the way pprof does, and prints what it found as JSON, so that
// tests compare values without trusting tagctl's encoder.
//
//	memtag-pprof-read FILE
//
// Exit status: 0 read and valid, 1 unreadable or invalid, 2 usage.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/google/pprof/profile"
)

type frame struct {
	Address  uint64 `json:"address"`
	Mapping  string `json:"mapping,omitempty"`
	Function string `json:"function,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int64  `json:"line,omitempty"`
}

type sample struct {
	Values []int64  `json:"values"`
	Pid    []int64  `json:"pid"`
	Comm   []string `json:"comm"`
	Stack  []frame  `json:"stack"` // innermost first
}

type mapping struct {
	ID      uint64 `json:"id"`
	File    string `json:"file"`
	BuildID string `json:"build_id"`
	Start   uint64 `json:"start"`
	Limit   uint64 `json:"limit"`
	Offset  uint64 `json:"offset"`
}

type report struct {
	SampleTypes       []string         `json:"sample_types"`
	DefaultSampleType string           `json:"default_sample_type"`
	TimeNanos         int64            `json:"time_nanos"`
	Totals            map[string]int64 `json:"totals"`
	Samples           []sample         `json:"samples"`
	Mappings          []mapping        `json:"mappings"`
}

func stackOf(s *profile.Sample) []frame {
	frames := []frame{}
	for _, loc := range s.Location {
		f := frame{Address: loc.Address}
		if loc.Mapping != nil {
			f.Mapping = loc.Mapping.File
		}
		if len(loc.Line) > 0 && loc.Line[0].Function != nil {
			f.Function = loc.Line[0].Function.Name
			f.File = loc.Line[0].Function.Filename
			f.Line = loc.Line[0].Line
		}
		frames = append(frames, f)
	}
	return frames
}

func describe(p *profile.Profile) report {
	r := report{
		DefaultSampleType: p.DefaultSampleType,
		TimeNanos:         p.TimeNanos,
		Totals:            map[string]int64{},
		Samples:           []sample{},
		Mappings:          []mapping{},
	}
	for _, t := range p.SampleType {
		r.SampleTypes = append(r.SampleTypes, t.Type+"/"+t.Unit)
	}
	for _, s := range p.Sample {
		for i, v := range s.Value {
			r.Totals[p.SampleType[i].Type] += v
		}
		r.Samples = append(r.Samples, sample{Values: s.Value, Pid: s.NumLabel["pid"],
			Comm: s.Label["comm"], Stack: stackOf(s)})
	}
	for _, m := range p.Mapping {
		r.Mappings = append(r.Mappings, mapping{ID: m.ID, File: m.File, BuildID: m.BuildID,
			Start: m.Start, Limit: m.Limit, Offset: m.Offset})
	}
	return r
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: memtag-pprof-read FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "memtag-pprof-read:", err)
		os.Exit(1)
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err == nil {
		err = p.CheckValid()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "memtag-pprof-read: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	out, _ := json.Marshal(describe(p))
	fmt.Println(string(out))
}
