package harness

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// Moto is a moto_server subprocess: a backend nobody here wrote, which many
// teams rehearse on (LocalStack is moto inside).
type Moto struct {
	URL string
	cmd *exec.Cmd
}

// StartMoto runs moto_server ($GATEHOUSE_MOTO_SERVER, else from PATH) on a
// free loopback port with env added, and waits until it answers. The error
// says why it cannot run; callers skip with it, visibly.
func StartMoto(env ...string) (*Moto, error) {
	bin := os.Getenv("GATEHOUSE_MOTO_SERVER")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("moto_server"); err != nil {
			return nil, errors.New("moto_server is not on PATH (pip install 'moto[server]', or set GATEHOUSE_MOTO_SERVER)")
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	m := &Moto{URL: "http://127.0.0.1:" + port, cmd: exec.Command(bin, "-H", "127.0.0.1", "-p", port)}
	m.cmd.Env = append(os.Environ(), env...)
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(m.URL + "/moto-api/"); err == nil {
			resp.Body.Close()
			return m, nil
		}
	}
	m.Stop()
	return nil, fmt.Errorf("%s did not answer within 30 s", bin)
}

// Stop ends the subprocess.
func (m *Moto) Stop() {
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
}
