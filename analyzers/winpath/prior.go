package winpath

// prior returns the probability that a critical program found in folder dir
// (folded) is malicious, and the table row that gave it. The rows were
// measured for smss.exe; the most specific matching row wins. Users profiles
// take the Documents and Settings row (Vista and later keep a junction from
// one to the other). Folders the table does not cover (other drives, shares,
// the critical name's own folder) give 0 and "".
func (l layout) prior(dir string) (risk float64, row string) {
	switch {
	case withinAny(dir, l.commonFiles) && !inAny(dir, l.commonFiles):
		return 0.56, "a subfolder of Program Files\\Common Files"
	case inAny(dir, l.commonFiles):
		return 1.00, "Program Files\\Common Files"
	case under(dir, l.drivers):
		return 0.71, "a subfolder of System32\\drivers"
	case dir == l.drivers:
		return 0.52, "System32\\drivers"
	case under(dir, l.system32):
		return 0.75, "a subfolder of System32"
	case dir == l.root:
		return 0.75, "the Windows folder"
	case under(dir, l.root):
		return 0.73, "a subfolder of the Windows folder"
	case underAny(dir, l.programFiles):
		return 0.58, "a subfolder of Program Files"
	case underAny(dir, l.profiles):
		return 0.36, "a user profile folder"
	case dir == l.driveRoot:
		return 0.65, "the root of the system drive"
	case under(dir, l.driveRoot):
		return 0.65, "a folder on the system drive"
	}
	return 0, ""
}
