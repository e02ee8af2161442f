// Package report holds what gatehouse's reports need to be opened safely in
// other programs. Today that is CSV for spreadsheets.
package report

import (
	"encoding/csv"
	"io"
)

// SafeCell is s as a spreadsheet shows it without ever evaluating it.
// Excel, LibreOffice and Google Sheets read a cell that begins with = + - @,
// a tab or a carriage return as a formula, and such cells occur in reports:
// "=cmd|' /C calc'!A0" is a valid IAM user name, and passwords may begin
// with any of IAM's symbols. Following OWASP's advice on CSV injection,
// such a cell gets a leading single quote, which spreadsheets take as "this
// is text"; every other cell is returned unchanged. Whoever reads a value
// from the file (a password above all) must drop that quote.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// CSVWriter is encoding/csv's Writer passing every cell through SafeCell.
type CSVWriter struct {
	w   *csv.Writer
	buf []string
}

// NewCSVWriter writes CSV with safe cells to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one record, each cell made safe; record is not changed.
func (c *CSVWriter) Write(record []string) error {
	c.buf = c.buf[:0]
	for _, cell := range record {
		c.buf = append(c.buf, SafeCell(cell))
	}
	return c.w.Write(c.buf)
}

// Flush writes any buffered data to the underlying writer.
func (c *CSVWriter) Flush() { c.w.Flush() }

// Error reports an error from an earlier Write or Flush.
func (c *CSVWriter) Error() error { return c.w.Error() }
