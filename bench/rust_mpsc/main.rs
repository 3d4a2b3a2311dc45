// Rust's std::sync::mpsc measured the way bench/channel_bench.cpp measures
// fearless channels: ns per message for same-thread send+recv, one producer
// -> one consumer throughput, and a ping-pong round trip. Standard library
// only; built by bench/channel_compare.sh with `rustc -O`.
//
// Output: one line per measurement, "<scenario>/<flavor> <ns per message>".
use std::sync::mpsc;
use std::thread;
use std::time::Instant;

const BATCH: u64 = 200_000;
const CAP: usize = 1024;
const REPEATS: usize = 5;

// Best of REPEATS runs of `f`, which returns (elapsed ns, messages).
fn best<F: FnMut() -> (f64, u64)>(mut f: F) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..REPEATS {
        let (ns, n) = f();
        best = best.min(ns / n as f64);
    }
    best
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
    std::hint::black_box(sum);
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
    std::hint::black_box(sum);
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
    std::hint::black_box(sum);
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
        std::hint::black_box(pong_rx.recv().unwrap());
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
    println!("same_thread/unbounded {:.1}", best(same_thread_unbounded));
    println!("same_thread/bounded {:.1}", best(same_thread_bounded));
    println!("throughput/unbounded {:.1}", best(|| throughput(unbounded, send_unbounded, BATCH)));
    println!("throughput/bounded {:.1}", best(|| throughput(bounded, send_sync, BATCH)));
    println!("throughput/rendezvous {:.1}", best(|| throughput(rendezvous, send_sync, BATCH / 20)));
    println!("ping_pong/unbounded {:.1}", best(|| ping_pong(unbounded, send_unbounded, 20_000)));
    println!("ping_pong/bounded {:.1}", best(|| ping_pong(bounded, send_sync, 20_000)));
    println!("ping_pong/rendezvous {:.1}", best(|| ping_pong(rendezvous, send_sync, 20_000)));
}
