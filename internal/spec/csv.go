package spec

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// A CSV input has one person per row under a header row that names the
// columns. Column names are matched without regard to case, and spaces or
// hyphens count as underscores ("User Name" is user_name). Lists (groups,
// policies, accounts) are separated by ";" and tags are "key=value;key=value".
// A public_key_file is relative to the CSV's directory. Lines starting with #
// are comments. Everything else comes from flags.

// csvColumns are the accepted columns and what each sets.
var csvColumns = map[string]func(p *personDraft, v val[string], probs *Problems){
	"email":     func(p *personDraft, v val[string], _ *Problems) { p.email = v },
	"user_name": func(p *personDraft, v val[string], _ *Problems) { p.userName = v },
	"name":      func(p *personDraft, v val[string], _ *Problems) { p.displayName = v },
	"path":      func(p *personDraft, v val[string], _ *Problems) { p.path = v },
	"boundary":  func(p *personDraft, v val[string], _ *Problems) { p.boundary = v },
	"deliver":   func(p *personDraft, v val[string], _ *Problems) { p.deliver = v },
	"language":  func(p *personDraft, v val[string], _ *Problems) { p.language = v },
	"groups":    func(p *personDraft, v val[string], _ *Problems) { p.groups = splitList(v) },
	"policies":  func(p *personDraft, v val[string], _ *Problems) { p.policies = splitList(v) },
	"accounts":  func(p *personDraft, v val[string], _ *Problems) { p.accounts = splitList(v) },
	"tags":      func(p *personDraft, v val[string], probs *Problems) { p.tags = splitTags(v, probs) },
	// An age or SSH key fits a cell; an armored OpenPGP key goes in a quoted
	// cell over several lines, or in a file named by public_key_file.
	"public_key":      func(p *personDraft, v val[string], _ *Problems) { p.publicKey = v },
	"public_key_file": func(p *personDraft, v val[string], _ *Problems) { p.publicKeyFile = v },
}

// csvColumnName finds the column a header cell names: case, spaces, hyphens
// and underscores do not matter ("E-Mail", "User Name", "username").
func csvColumnName(cell string) string {
	squash := strings.NewReplacer(" ", "", "-", "", "_", "")
	want := squash.Replace(strings.ToLower(strings.TrimSpace(cell)))
	for name := range csvColumns {
		if squash.Replace(name) == want {
			return name
		}
	}
	return strings.TrimSpace(cell)
}

// isCSVHeader reports whether line is a CSV header row with an email column.
func isCSVHeader(line []byte) bool {
	rec, err := csv.NewReader(bytes.NewReader(line)).Read()
	if err != nil {
		return false
	}
	return slices.ContainsFunc(rec, func(c string) bool { return csvColumnName(c) == "email" })
}

// decodeCSV reads the rows into s; false means the CSV could not be read.
func decodeCSV(data []byte, file string, s *draft, probs *Problems) bool {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.FieldsPerRecord = -1 // rows of the wrong width are reported with a hint below
	header, err := r.Read()
	if err != nil {
		csvReadProblem(r, err, file, probs)
		return false
	}
	line, _ := r.FieldPos(0)
	s.peoplePos = Pos{File: file, Line: line}
	setters := csvHeader(header, Pos{File: file, Line: line}, probs)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			csvReadProblem(r, err, file, probs)
			return false
		}
		row, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			if !allEmpty(rec) {
				s.incomplete = true
				probs.add(Pos{File: file, Line: row}, "a row", plural(len(rec), "field")+" but the header has "+
					plural(len(header), "column")+`; quote values that contain commas ("a, b")`)
			}
			continue
		}
		if allEmpty(rec) {
			continue // spreadsheets leave rows of empty cells behind
		}
		p := personDraft{pos: Pos{File: file, Line: row}}
		for i, cell := range rec {
			if set := setters[i]; set != nil && strings.TrimSpace(cell) != "" {
				l, _ := r.FieldPos(i)
				set(&p, setVal(strings.TrimSpace(cell), Pos{File: file, Line: l}), probs)
			}
		}
		s.people = append(s.people, p)
	}
}

// csvHeader maps each column to its setter, reporting unknown and repeated columns.
func csvHeader(header []string, pos Pos, probs *Problems) []func(*personDraft, val[string], *Problems) {
	known := make([]string, 0, len(csvColumns))
	for k := range csvColumns {
		known = append(known, k)
	}
	slices.Sort(known)
	setters := make([]func(*personDraft, val[string], *Problems), len(header))
	seen := map[string]bool{}
	for i, cell := range header {
		name := csvColumnName(cell)
		set, ok := csvColumns[name]
		switch {
		case !ok:
			fix := "the columns are " + oneOf(known)
			if s := closest(name, known); s != "" {
				fix = "did you mean " + quote(s) + "? " + fix
			}
			probs.add(pos, "unknown column "+quote(name), fix)
		case seen[name]:
			probs.add(pos, "column "+quote(name), "appears twice in the header; keep one")
		default:
			setters[i] = set
		}
		seen[name] = true
	}
	return setters
}

func csvReadProblem(r *csv.Reader, err error, file string, probs *Problems) {
	var perr *csv.ParseError
	if errors.As(err, &perr) {
		probs.add(Pos{File: file, Line: perr.StartLine}, "", "not valid CSV: "+perr.Err.Error()+
			`; a value with commas or quotes goes in double quotes, with "" for a quote inside`)
		return
	}
	line, _ := r.FieldPos(0)
	probs.add(Pos{File: file, Line: line}, "", "reading CSV: "+err.Error())
}

// splitList splits "a; b;c" into its items.
func splitList(v val[string]) []val[string] {
	var out []val[string]
	for _, item := range strings.Split(v.V, ";") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, setVal(item, v.Pos))
		}
	}
	return out
}

// splitTags splits "team=platform; cost-center=42" into tags.
func splitTags(v val[string], probs *Problems) []tagDraft {
	var out []tagDraft
	for _, item := range strings.Split(v.V, ";") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		key, value, ok := strings.Cut(item, "=")
		if !ok {
			probs.add(v.Pos, "tag "+quote(item), "write tags as key=value, separated by ;")
			continue
		}
		out = append(out, tagDraft{
			key:   setVal(strings.TrimSpace(key), v.Pos),
			value: setVal(strings.TrimSpace(value), v.Pos),
		})
	}
	return out
}

func allEmpty(rec []string) bool {
	return !slices.ContainsFunc(rec, func(c string) bool { return strings.TrimSpace(c) != "" })
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
