package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"strconv"
)

// logFile is the change log beside the snapshot: every group commit appends
// one line holding what it changed (state.World.Delta), so a commit's cost is
// that of its changes, not of the world.
//
// Each line is the CRC-32C of its JSON in 8 hex digits, a space, the JSON and
// a newline. The first line names the snapshot the log follows by its
// SHA-256; a log naming another snapshot is left over from before a
// checkpoint (the crash came between writing state.json and starting the new
// log) and everything in it is in state.json already. A line cut short or
// garbled at the end is a write a crash interrupted: it was never
// acknowledged. Garbled lines followed by good ones are corruption, and the
// sandbox refuses to start rather than lose what follows.
const logFile = "state.log"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// logHeader is the first line of a log.
type logHeader struct {
	Log      int    `json:"log"`      // the format: 1
	Snapshot string `json:"snapshot"` // SHA-256 of the state.json the log follows, hex
}

// logLine frames data as a line of the log.
func logLine(data []byte) []byte {
	line := make([]byte, 0, len(data)+10)
	line = fmt.Appendf(line, "%08x ", crc32.Checksum(data, castagnoli))
	line = append(line, data...)
	return append(line, '\n')
}

// newLog is the whole of a log that follows snapshot: its header line.
func newLog(snapshot []byte) []byte {
	sum := sha256.Sum256(snapshot)
	header, _ := json.Marshal(logHeader{Log: 1, Snapshot: hex.EncodeToString(sum[:])})
	return logLine(header)
}

// loggedChanges is what a log holds for a snapshot.
type loggedChanges struct {
	records [][]byte
	size    int64 // bytes of the log file
	// usable is true when the log follows the snapshot and ends cleanly, so
	// that later records may be appended to it.
	usable bool
}

// readLog reads the log in dir and returns the records that follow snapshot.
func readLog(dir string, snapshot []byte) (loggedChanges, error) {
	path := dir + string(os.PathSeparator) + logFile
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return loggedChanges{}, nil
	}
	if err != nil {
		return loggedChanges{}, fmt.Errorf("reading the change log (%s): %w", path, err)
	}
	lines, torn := splitLog(data)
	if torn >= 0 {
		for _, rest := range lines[torn+1:] {
			if rest != nil {
				return loggedChanges{}, fmt.Errorf("the change log (%s) is corrupt at line %d: good lines follow a garbled one; "+
					"move it aside to start from %s alone", path, torn+1, stateFile)
			}
		}
		lines = lines[:torn]
	}
	if len(lines) == 0 {
		return loggedChanges{size: int64(len(data))}, nil
	}
	var h logHeader
	if err := json.Unmarshal(lines[0], &h); err != nil || h.Log != 1 {
		return loggedChanges{}, fmt.Errorf("the change log (%s) has no header this sandbox reads", path)
	}
	sum := sha256.Sum256(snapshot)
	if h.Snapshot != hex.EncodeToString(sum[:]) {
		return loggedChanges{size: int64(len(data))}, nil // left over from before the last checkpoint
	}
	return loggedChanges{records: lines[1:], size: int64(len(data)), usable: torn < 0}, nil
}

// splitLog returns each line's JSON (nil for a line that does not check out)
// and the index of the first bad line, or -1.
func splitLog(data []byte) (lines [][]byte, firstBad int) {
	firstBad = -1
	for len(data) > 0 {
		var line []byte
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			line, data = nil, nil // cut short: never acknowledged
		} else {
			line, data = checkLine(data[:end]), data[end+1:]
		}
		if line == nil && firstBad < 0 {
			firstBad = len(lines)
		}
		lines = append(lines, line)
	}
	return lines, firstBad
}

// checkLine returns the JSON of a framed line, or nil when its checksum fails.
func checkLine(line []byte) []byte {
	if len(line) < 10 || line[8] != ' ' {
		return nil
	}
	want, err := strconv.ParseUint(string(line[:8]), 16, 32)
	if err != nil || crc32.Checksum(line[9:], castagnoli) != uint32(want) {
		return nil
	}
	return line[9:]
}
