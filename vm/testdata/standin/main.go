// Command standin plays, under the name it is started as, the VirtualBox
// programs that cannot run on a test machine: VBoxManage (replaying the
// scenario.json next to it and logging every call to calls.log),
// VBoxHeadless (a TCP listener standing in for a NAT forward: it relays to a
// backend, greets with given bytes, or just holds the port) and portholder
// (an unrelated program holding a port). Tests build it once and link it
// under those names, so the kernel names each process as the real one.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// standinLifetime bounds every stand-in listener in case a test dies
// without stopping it.
const standinLifetime = 3 * time.Minute

func main() {
	switch filepath.Base(os.Args[0]) {
	case "VBoxManage", "VBoxManage.exe":
		os.Exit(fakeVBoxManage(os.Args[1:]))
	default:
		os.Exit(fakeForwarder(os.Args[1:]))
	}
}

type fakeResp struct {
	Out  string `json:"out"`
	Err  string `json:"err"`
	Code int    `json:"code"`
}

type fakeScenario struct {
	Responses map[string]fakeResp `json:"responses"`
}

func fakeVBoxManage(args []string) int {
	dir := selfDir()
	key := strings.Join(args, " ")
	if f, err := os.OpenFile(filepath.Join(dir, "calls.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(f, key)
		f.Close()
	}
	data, err := os.ReadFile(filepath.Join(dir, "scenario.json"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "stand-in VBoxManage: no scenario:", err)
		return 1
	}
	var sc fakeScenario
	if err := json.Unmarshal(data, &sc); err != nil {
		fmt.Fprintln(os.Stderr, "stand-in VBoxManage: bad scenario:", err)
		return 1
	}
	r, ok := sc.Responses[key]
	if !ok {
		r, ok = fakeNATPF(dir, args, &sc)
	}
	if !ok {
		switch {
		case key == "--version":
			r = fakeResp{Out: "7.0.14r161095\n"}
		case strings.HasPrefix(key, "list "):
			r = fakeResp{}
		case strings.HasPrefix(key, "guestproperty get "):
			r = fakeResp{Out: "No value set!\n"}
		case strings.HasPrefix(key, "showvminfo "):
			name := strings.TrimSuffix(strings.TrimPrefix(key, "showvminfo "), " --machinereadable")
			r = fakeResp{Code: 1, Err: fmt.Sprintf("VBoxManage: error: Could not find a registered machine named '%s'\n"+
				"VBoxManage: error: Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports\n", name)}
		default:
			r = fakeResp{Code: 1, Err: "VBoxManage: error: the stand-in has no answer for: " + key + "\n"}
		}
	}
	os.Stdout.WriteString(r.Out)
	os.Stderr.WriteString(r.Err)
	return r.Code
}

// fakeForwarder: --listen ADDR [--to ADDR | --greet TEXT | --hold]
// [--startvm UUID]. With --to it relays each connection to the backend and
// closes it when the backend refuses, as VirtualBox's NAT does when the
// guest port is closed.
func fakeForwarder(args []string) int {
	var listen, to, greet string
	for i := 0; i+1 < len(args); i++ {
		switch args[i] {
		case "--listen":
			listen = args[i+1]
		case "--to":
			to = args[i+1]
		case "--greet":
			greet = args[i+1]
		}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("listening", ln.Addr())
	go func() { time.Sleep(standinLifetime); os.Exit(0) }()
	for {
		c, err := ln.Accept()
		if err != nil {
			return 1
		}
		go func(c net.Conn) {
			defer c.Close()
			switch {
			case greet != "":
				c.Write([]byte(greet))
				time.Sleep(time.Second)
			case to != "":
				b, err := net.DialTimeout("tcp", to, 5*time.Second)
				if err != nil {
					return
				}
				defer b.Close()
				var wg sync.WaitGroup
				wg.Add(2)
				go func() { defer wg.Done(); io.Copy(b, c); b.(*net.TCPConn).CloseWrite() }()
				go func() { defer wg.Done(); io.Copy(c, b); c.(*net.TCPConn).CloseWrite() }()
				wg.Wait()
			default:
				io.Copy(io.Discard, c)
			}
		}(c)
	}
}
