// Package hive reads Windows registry hive files (regf format 1.x).
//
// A Hive is opened from a path (Open), from an io.ReaderAt (NewReader) or from
// bytes already in memory (Parse); the whole hive is held in memory, read
// once. Nothing is ever written back. Record fields are read through
// www.velocidex.com/golang/regparser's structure profile; this package adds
// what a forensic reader needs on top: bounds checks on every cell, names
// decoded per their flags, full-precision timestamps, cycle-safe traversal,
// and errors instead of panics.
//
// Paths inside a hive are `\`-separated and start at the root, which is `\`;
// the root key's own name is not part of any path. Lookups compare names
// case-insensitively, as Windows does. Accessors that read cells return an
// error; a missing key or value wraps fs.ErrNotExist, and data that cannot
// be read (a damaged cell, or a subkey or value list too damaged to say
// whether an entry exists) matches ErrDamaged.
//
// Times are UTC with the full 100 ns precision of a Windows FILETIME.
package hive
