package formaterr

import (
	"errors"
	"io"
	"io/fs"
	"testing"
)

func TestError(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Format: "hive", File: "/x/SYSTEM", Offset: 0x1020, Msg: "cell size 0 too small"}, "hive /x/SYSTEM: cell size 0 too small at offset 0x1020"},
		{&Error{Format: "hive", Msg: "bad"}, "hive: bad at offset 0x0"},
		{New("vhd", 512, "footer checksum mismatch"), "vhd: footer checksum mismatch at offset 0x200"},
		{&Error{Format: "vhdx", Offset: 16, Msg: "BAT", Err: io.ErrUnexpectedEOF}, "vhdx: BAT: unexpected EOF at offset 0x10"},
		{&Error{Format: "vmdk", File: "disk-s001.vmdk", Err: io.EOF}, "vmdk disk-s001.vmdk: EOF at offset 0x0"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestIs(t *testing.T) {
	err := error(&Error{Format: "vhd", Err: io.ErrUnexpectedEOF})
	if !errors.Is(err, ErrDamaged) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("%v: want ErrDamaged and the wrapped io.ErrUnexpectedEOF", err)
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(New("x", 0, "y"), io.ErrUnexpectedEOF) {
		t.Error("matches an error it does not wrap")
	}
	var fe *Error
	if !errors.As(error(New("x", 0, "y")), &fe) || fe.Format != "x" {
		t.Error("errors.As does not find the *Error")
	}
}
