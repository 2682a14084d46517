package driver

import "testing"

func TestNameMode(t *testing.T) {
	if NamesNative.String() != "native" || NamesEscaped.String() != "escaped" || !NamesNative.Valid() || !NamesEscaped.Valid() {
		t.Error("the two modes print wrong or are not valid")
	}
	if NameMode(7).Valid() || NameMode(7).String() != "NameMode(7)" {
		t.Error("an unknown mode is valid or prints wrong")
	}
	var zero NameMode
	if zero != NamesNative {
		t.Error("the zero mode is not native")
	}
}
