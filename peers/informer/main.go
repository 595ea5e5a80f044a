// Command informer-peer is the client-go v0.37.2 consumer of the informer benchmarks
// (`cargo xtask bench`; the orchestrator is `bench/src/orchestrate.rs`, which finds this binary
// through KUBE_INFORMER_PEER or --peer, built by `cargo xtask go-peers`).
//
// It watches every pod of a plain-HTTP API server (no authentication) through
// informers.NewSharedInformerFactory(clientset, 0).Core().V1().Pods(), in one of two modes:
//
//	informer-peer sync <URL> <N> [--strip-managed-fields]
//
// starts the factory with one no-op handler, waits (at most 60 s) for cache.WaitForCacheSync,
// checks that the store holds exactly N pods and prints one JSON line
//
//	{"secs":0.81,"n":10000,"rss_before":KiB,"rss_after":KiB,"rss_after_gc":KiB,"hwm":KiB,"heap_before":bytes,"heap_after":bytes}
//
// where secs is the wall time from Start to WaitForCacheSync returning true, rss_before and
// heap_before are taken after a runtime.GC before Start, rss_after right after the sync (before
// any GC), heap_after and rss_after_gc after two more runtime.GC calls, and hwm is VmHWM. RSS
// figures are KiB from /proc/self/status, heap figures runtime.MemStats.HeapAlloc in bytes. With
// --strip-managed-fields, a transform set with SetTransform clears metadata.managedFields before
// objects reach the cache.
//
//	informer-peer events <URL> <PODS>
//
// starts the factory at once with three handlers, each counting its add and update
// notifications, then answers commands on standard input, one line each:
//
//	WAIT <n>   ->  REACHED <n> <unix_nanos>
//	EXIT       ->  {"hwm":KiB}
//
// REACHED comes once every handler has seen at least n notifications; unix_nanos is the wall clock
// (time.Now().UnixNano()) at which the last of the three reached n, taken in the handler itself
// (or, for a handler already past n when the WAIT arrives, when the WAIT arrives). PODS is only
// checked to be a count. Nothing in this mode times out, since the orchestrator stops and
// continues the process (SIGSTOP/SIGCONT) between commands.
//
// Errors go to standard error, with a non-zero exit status (2 for bad usage).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

const usage = "usage: informer-peer sync <URL> <N> [--strip-managed-fields] | informer-peer events <URL> <PODS>"

// syncDeadline bounds the sync mode's wait for the cache, so an unreachable or broken server
// ends the run with a message instead of hanging it.
const syncDeadline = 60 * time.Second

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		fail(2, usage)
	}
	var err error
	switch args[0] {
	case "sync":
		err = syncMode(args[1:])
	case "events":
		err = eventsMode(args[1:])
	default:
		fail(2, "unknown mode %q; %s", args[0], usage)
	}
	if err != nil {
		fail(1, "%v", err)
	}
}

func fail(code int, format string, a ...any) {
	fmt.Fprintf(os.Stderr, "informer-peer: "+format+"\n", a...)
	os.Exit(code)
}

func count(arg, what string) int {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 0 {
		fail(2, "%s must be a count, not %q; %s", what, arg, usage)
	}
	return n
}

// podInformer builds the clientset for url and the factory's pod informer, not yet started.
func podInformer(url string) (kubernetes.Interface, informers.SharedInformerFactory, cache.SharedIndexInformer, error) {
	config := &rest.Config{Host: url, QPS: 1e6, Burst: 1e6}
	clientset, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("building the clientset for %s: %w", url, err)
	}
	factory := informers.NewSharedInformerFactory(clientset, 0)
	return clientset, factory, factory.Core().V1().Pods().Informer(), nil
}

// syncMode is `informer-peer sync <URL> <N> [--strip-managed-fields]`.
func syncMode(args []string) error {
	strip := false
	var positional []string
	for _, arg := range args {
		switch {
		case arg == "--strip-managed-fields":
			strip = true
		case strings.HasPrefix(arg, "-"):
			fail(2, "unknown option %q; %s", arg, usage)
		default:
			positional = append(positional, arg)
		}
	}
	if len(positional) != 2 {
		fail(2, "sync takes a URL and a count; %s", usage)
	}
	url, n := positional[0], count(positional[1], "N")

	clientset, factory, informer, err := podInformer(url)
	if err != nil {
		return err
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) {},
		UpdateFunc: func(any, any) {},
		DeleteFunc: func(any) {},
	}); err != nil {
		return fmt.Errorf("adding the handler: %w", err)
	}
	if strip {
		// client-go's recommended way to keep managedFields out of the cache: a transform, set
		// before the informer starts, applied to every object before it is stored.
		if err := informer.SetTransform(func(obj any) (any, error) {
			if object, err := meta.Accessor(obj); err == nil {
				object.SetManagedFields(nil)
			}
			return obj, nil
		}); err != nil {
			return fmt.Errorf("setting the transform: %w", err)
		}
	}
	// The last list or watch error, for the message when the cache never syncs; client-go's
	// default handler still logs each one.
	var lastErr atomic.Pointer[string]
	if err := informer.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		msg := err.Error()
		lastErr.Store(&msg)
		cache.DefaultWatchErrorHandler(ctx, r, err)
	}); err != nil {
		return fmt.Errorf("setting the watch error handler: %w", err)
	}

	runtime.GC()
	rssBefore, err := status("VmRSS")
	if err != nil {
		return err
	}
	heapBefore := heapAlloc()

	stop := make(chan struct{})
	defer close(stop)
	ctx, cancel := context.WithTimeout(context.Background(), syncDeadline)
	defer cancel()
	started := time.Now()
	factory.Start(stop)
	synced := cache.WaitForCacheSync(ctx.Done(), informer.HasSynced)
	secs := time.Since(started).Seconds()
	if !synced {
		msg := fmt.Sprintf("the pod informer did not sync within %v from %s: its store holds %d pods (want %d)",
			syncDeadline, url, len(informer.GetStore().ListKeys()), n)
		if last := lastErr.Load(); last != nil {
			msg += "; last list/watch error: " + *last
		}
		// The reflector retries some errors (connection refused among them) without reporting
		// them, so one list of its own says what the server answers.
		probe, cancelProbe := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancelProbe()
		if list, err := clientset.CoreV1().Pods("").List(probe, metav1.ListOptions{Limit: 1}); err != nil {
			msg += "; a list of pods fails: " + err.Error()
		} else {
			msg += fmt.Sprintf("; a list of pods succeeds (resourceVersion %q, %d items in its first page)",
				list.ResourceVersion, len(list.Items))
		}
		return errors.New(msg)
	}
	// Read before anything else allocates (the check below lists the store).
	rssAfter, err := status("VmRSS")
	if err != nil {
		return err
	}
	cached := informer.GetStore().List()
	if len(cached) != n {
		return fmt.Errorf("synced from %s, but the store holds %d pods, not %d", url, len(cached), n)
	}
	for _, obj := range cached {
		pod, ok := obj.(*corev1.Pod)
		if !ok {
			return fmt.Errorf("the store holds a %T, not a pod", obj)
		}
		if strip && pod.ManagedFields != nil {
			return fmt.Errorf("pod %s/%s kept its managedFields despite the transform", pod.Namespace, pod.Name)
		}
	}
	runtime.GC()
	runtime.GC()
	heapAfter := heapAlloc()
	rssAfterGC, err := status("VmRSS")
	if err != nil {
		return err
	}
	hwm, err := status("VmHWM")
	if err != nil {
		return err
	}
	// The cache must still be live when heap_after and rss_after_gc are read.
	runtime.KeepAlive(informer)
	runtime.KeepAlive(factory)

	line, err := json.Marshal(struct {
		Secs       float64 `json:"secs"`
		N          int     `json:"n"`
		RSSBefore  uint64  `json:"rss_before"`
		RSSAfter   uint64  `json:"rss_after"`
		RSSAfterGC uint64  `json:"rss_after_gc"`
		HWM        uint64  `json:"hwm"`
		HeapBefore uint64  `json:"heap_before"`
		HeapAfter  uint64  `json:"heap_after"`
	}{secs, n, rssBefore, rssAfter, rssAfterGC, hwm, heapBefore, heapAfter})
	if err != nil {
		return err
	}
	return writeLine(bufio.NewWriter(os.Stdout), string(line))
}

func heapAlloc() uint64 {
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc
}

// status reads one "<field>: <n> kB" line of /proc/self/status, in KiB.
func status(field string) (uint64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("reading /proc/self/status: %w", err)
	}
	for line := range strings.Lines(string(data)) {
		rest, ok := strings.CutPrefix(line, field+":")
		if !ok {
			continue
		}
		words := strings.Fields(rest)
		if len(words) != 2 || words[1] != "kB" {
			return 0, fmt.Errorf("/proc/self/status: unexpected line %q", strings.TrimSpace(line))
		}
		return strconv.ParseUint(words[0], 10, 64)
	}
	return 0, fmt.Errorf("/proc/self/status has no %s line", field)
}

func writeLine(out *bufio.Writer, line string) error {
	if _, err := out.WriteString(line + "\n"); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	return nil
}

const handlers = 3

// waiter is one outstanding WAIT n: when each handler first had at least n notifications.
type waiter struct {
	n    int64
	at   [handlers]atomic.Int64 // unix nanos; 0 until that handler reached n
	left atomic.Int32           // handlers still short of n
	done chan struct{}          // closed when left reaches 0
}

// reach records that handler i has reached w.n at unix nanos now, unless it already had.
func (w *waiter) reach(i int, now int64) {
	if w.at[i].CompareAndSwap(0, now) && w.left.Add(-1) == 0 {
		close(w.done)
	}
}

// counters is the three handlers' notification counts and the WAIT they report to.
type counters struct {
	counts  [handlers]atomic.Int64
	current atomic.Pointer[waiter]
}

// note counts one notification of handler i, and records the time if that makes it reach the
// outstanding WAIT's n.
func (c *counters) note(i int) {
	seen := c.counts[i].Add(1)
	if w := c.current.Load(); w != nil && seen >= w.n && w.at[i].Load() == 0 {
		w.reach(i, time.Now().UnixNano())
	}
}

// wait blocks until every handler has at least n notifications and returns when the last one
// reached n.
func (c *counters) wait(n int64) int64 {
	w := &waiter{n: n, done: make(chan struct{})}
	w.left.Store(handlers)
	c.current.Store(w)
	// A handler that counted past n before the Store above may not have seen w; its count is
	// visible here (the atomics are sequentially consistent), so no reach is lost.
	for i := range handlers {
		if c.counts[i].Load() >= n {
			w.reach(i, time.Now().UnixNano())
		}
	}
	<-w.done
	c.current.CompareAndSwap(w, nil)
	last := int64(0)
	for i := range handlers {
		last = max(last, w.at[i].Load())
	}
	return last
}

// eventsMode is `informer-peer events <URL> <PODS>`.
func eventsMode(args []string) error {
	if len(args) != 2 {
		fail(2, "events takes a URL and a pod count; %s", usage)
	}
	url, pods := args[0], count(args[1], "PODS")

	_, factory, informer, err := podInformer(url)
	if err != nil {
		return err
	}
	var c counters
	for i := range handlers {
		if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(any) { c.note(i) },
			UpdateFunc: func(any, any) { c.note(i) },
		}); err != nil {
			return fmt.Errorf("adding handler %d: %w", i, err)
		}
	}
	stop := make(chan struct{})
	defer close(stop)
	factory.Start(stop)

	out := bufio.NewWriter(os.Stdout)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		words := strings.Fields(in.Text())
		switch {
		case len(words) == 2 && words[0] == "WAIT":
			n, err := strconv.ParseInt(words[1], 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("WAIT needs a count, not %q", words[1])
			}
			at := c.wait(n)
			if err := writeLine(out, fmt.Sprintf("REACHED %d %d", n, at)); err != nil {
				return err
			}
		case len(words) == 1 && words[0] == "EXIT":
			hwm, err := status("VmHWM")
			if err != nil {
				return err
			}
			runtime.KeepAlive(informer)
			return writeLine(out, fmt.Sprintf(`{"hwm":%d}`, hwm))
		default:
			return fmt.Errorf("unknown command %q (expected WAIT <n> or EXIT)", in.Text())
		}
	}
	if err := in.Err(); err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	return fmt.Errorf("stdin ended before EXIT (watching %d pods from %s; counts %d, %d, %d)",
		pods, url, c.counts[0].Load(), c.counts[1].Load(), c.counts[2].Load())
}
