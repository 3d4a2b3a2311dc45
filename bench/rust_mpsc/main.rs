// Rust's std::sync::mpsc measured the way bench/channel_bench.cpp measures
// fearless channels: ns per message for same-thread send+recv, one producer
// -> one consumer throughput, and a ping-pong round trip. Standard library
// only; built by bench/channel_compare.sh with `rustc -O`. Builds with rustc
// 1.63 (Debian 12's, whose mpsc predates the crossbeam-based rewrite of 1.67)
// and later.
//
//   rust_mpsc [REPEATS]    (default 5)
//
// Output: one line per measurement,
// "<scenario>/<flavor> <best ns per message> <median ns per message>".
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

const BATCH: u64 = 200_000;
const CAP: usize = 1024;
// std::hint::black_box is stable only since 1.66.
fn black_box<T>(x: T) -> T {
    // Safety: reads a value we own, then forgets the original (no double drop).
    unsafe {
        let y = std::ptr::read_volatile(&x);
        std::mem::forget(x);
        y
    }
}

// Best and median of `repeats` runs of `f`, which returns (elapsed ns,
// messages), in ns per message.
fn measure<F: FnMut() -> (f64, u64)>(repeats: usize, mut f: F) -> (f64, f64) {
    let mut runs: Vec<f64> = (0..repeats)
        .map(|_| {
            let (ns, n) = f();
            ns / n as f64
        })
        .collect();
    runs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mid = runs.len() / 2;
    let median = if runs.len() % 2 == 1 { runs[mid] } else { (runs[mid - 1] + runs[mid]) / 2.0 };
    (runs[0], median)
}

fn same_thread_unbounded() -> (f64, u64) {
    let (tx, rx) = mpsc::channel::<u64>();
    let n = 2_000_000u64;
    let start = Instant::now();
    let mut sum = 0u64;
    for i in 0..n {
        tx.send(i).unwrap();
        sum = sum.wrapping_add(rx.recv().unwrap());
    }
    black_box(sum);
    (start.elapsed().as_nanos() as f64, n)
}

fn same_thread_bounded() -> (f64, u64) {
    let (tx, rx) = mpsc::sync_channel::<u64>(CAP);
    let n = 2_000_000u64;
    let start = Instant::now();
    let mut sum = 0u64;
    for i in 0..n {
        tx.send(i).unwrap();
        sum = sum.wrapping_add(rx.recv().unwrap());
    }
    black_box(sum);
    (start.elapsed().as_nanos() as f64, n)
}

fn throughput<S: Send + 'static>(
    make: fn() -> (S, mpsc::Receiver<u64>),
    send: fn(&S, u64),
    n: u64,
) -> (f64, u64) {
    let (tx, rx) = make();
    let start = Instant::now();
    let producer = thread::spawn(move || {
        for i in 0..n {
            send(&tx, i);
        }
    });
    let mut sum = 0u64;
    for _ in 0..n {
        sum = sum.wrapping_add(rx.recv().unwrap());
    }
    producer.join().unwrap();
    black_box(sum);
    (start.elapsed().as_nanos() as f64, n)
}

fn ping_pong<S: Send + 'static>(
    make: fn() -> (S, mpsc::Receiver<u64>),
    send: fn(&S, u64),
    n: u64,
) -> (f64, u64) {
    let (ping_tx, ping_rx) = make();
    let (pong_tx, pong_rx) = make();
    let echo = thread::spawn(move || {
        while let Ok(v) = ping_rx.recv() {
            if v == u64::MAX {
                return;
            }
            send(&pong_tx, v);
        }
    });
    let start = Instant::now();
    for i in 0..n {
        send(&ping_tx, i);
        black_box(pong_rx.recv().unwrap());
    }
    let elapsed = start.elapsed().as_nanos() as f64;
    send(&ping_tx, u64::MAX);
    echo.join().unwrap();
    (elapsed, n)
}

fn unbounded() -> (mpsc::Sender<u64>, mpsc::Receiver<u64>) {
    mpsc::channel()
}
fn bounded() -> (mpsc::SyncSender<u64>, mpsc::Receiver<u64>) {
    mpsc::sync_channel(CAP)
}
fn rendezvous() -> (mpsc::SyncSender<u64>, mpsc::Receiver<u64>) {
    mpsc::sync_channel(0)
}
fn send_unbounded(tx: &mpsc::Sender<u64>, v: u64) {
    tx.send(v).unwrap();
}
fn send_sync(tx: &mpsc::SyncSender<u64>, v: u64) {
    tx.send(v).unwrap();
}

fn main() {
    let repeats: usize = std::env::args().nth(1).map(|a| a.parse().expect("REPEATS")).unwrap_or(5);
    let report = |name: &str, (best, median): (f64, f64)| println!("{} {:.1} {:.1}", name, best, median);
    report("same_thread/unbounded", measure(repeats, same_thread_unbounded));
    report("same_thread/bounded", measure(repeats, same_thread_bounded));
    report("throughput/unbounded", measure(repeats, || throughput(unbounded, send_unbounded, BATCH)));
    report("throughput/bounded", measure(repeats, || throughput(bounded, send_sync, BATCH)));
    report("throughput/rendezvous", measure(repeats, || throughput(rendezvous, send_sync, BATCH / 20)));
    report("ping_pong/unbounded", measure(repeats, || ping_pong(unbounded, send_unbounded, 20_000)));
    report("ping_pong/bounded", measure(repeats, || ping_pong(bounded, send_sync, 20_000)));
    report("ping_pong/rendezvous", measure(repeats, || ping_pong(rendezvous, send_sync, 20_000)));
}
