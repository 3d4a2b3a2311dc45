// Channel benchmarks: ns per message, per flavor, against a std::mutex +
// std::condition_variable + std::deque queue in the same run.
//
//   same_thread  send then recv on one thread (the uncontended cost);
//   throughput   one producer thread, one consumer thread, kBatch messages;
//   ping_pong    a round trip over two channels between two threads.
//
// Names are "<scenario>/<queue>"; bench/channel_compare.sh puts them next
// to Rust's std::sync::mpsc (bench/rust_mpsc) in one table.
#include "fearless/channel.h"

#include <benchmark/benchmark.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>

namespace {

constexpr std::int64_t kBatch = 200'000;
// The rendezvous flavor is wake-up-bound (microseconds per message).
constexpr std::int64_t kRendezvousBatch = kBatch / 20;
constexpr std::size_t kBoundedCap = 1024;

// The baseline: what one writes without a channel library.
template <class T> class MutexQueue {
public:
  explicit MutexQueue(std::size_t cap = 0) : cap_(cap) {}
  void send(T v) {
    std::unique_lock lock(mu_);
    if (cap_ != 0)
      not_full_.wait(lock, [&] { return q_.size() < cap_; });
    q_.push_back(std::move(v));
    lock.unlock();
    not_empty_.notify_one();
  }
  T recv() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !q_.empty(); });
    T v = std::move(q_.front());
    q_.pop_front();
    lock.unlock();
    if (cap_ != 0)
      not_full_.notify_one();
    return v;
  }

private:
  const std::size_t cap_;
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> q_;
};

// Uniform adapters: make() returns {sender, receiver}-like objects with
// send(v) and recv() -> T.
struct Unbounded {
  static auto make() { return fearless::channel<std::uint64_t>(); }
  static void send(const fearless::Sender<std::uint64_t> &tx, std::uint64_t v) {
    (void)tx.send(v);
  }
  template <class Rx> static std::uint64_t recv(Rx &rx) {
    return *rx.recv();
  }
};
struct Bounded {
  static auto make() { return fearless::sync_channel<std::uint64_t>(kBoundedCap); }
  static void send(const fearless::SyncSender<std::uint64_t> &tx,
                   std::uint64_t v) {
    (void)tx.send(v);
  }
  template <class Rx> static std::uint64_t recv(Rx &rx) {
    return *rx.recv();
  }
};
struct Rendezvous {
  static auto make() { return fearless::sync_channel<std::uint64_t>(0); }
  static void send(const fearless::SyncSender<std::uint64_t> &tx,
                   std::uint64_t v) {
    (void)tx.send(v);
  }
  template <class Rx> static std::uint64_t recv(Rx &rx) {
    return *rx.recv();
  }
};
template <std::size_t Cap> struct Mutex {
  struct Handle {
    std::shared_ptr<MutexQueue<std::uint64_t>> q;
  };
  static std::pair<Handle, Handle> make() {
    auto q = std::make_shared<MutexQueue<std::uint64_t>>(Cap);
    return {Handle{q}, Handle{q}};
  }
  static void send(const Handle &h, std::uint64_t v) { h.q->send(v); }
  static std::uint64_t recv(Handle &h) { return h.q->recv(); }
};

template <class Q> void same_thread(benchmark::State &state) {
  auto [tx, rx] = Q::make();
  std::uint64_t i = 0;
  for (auto _ : state) {
    Q::send(tx, i++);
    benchmark::DoNotOptimize(Q::recv(rx));
  }
  state.counters["ns_per_msg"] = benchmark::Counter(
      static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <class Q> void throughput(benchmark::State &state) {
  constexpr std::int64_t batch =
      std::is_same_v<Q, Rendezvous> ? kRendezvousBatch : kBatch;
  for (auto _ : state) {
    auto [tx, rx] = Q::make();
    std::thread producer([tx = std::move(tx)] {
      for (std::int64_t i = 0; i < batch; ++i)
        Q::send(tx, static_cast<std::uint64_t>(i));
    });
    std::uint64_t sum = 0;
    for (std::int64_t i = 0; i < batch; ++i)
      sum += Q::recv(rx);
    producer.join();
    benchmark::DoNotOptimize(sum);
  }
  state.counters["ns_per_msg"] = benchmark::Counter(
      static_cast<double>(state.iterations() * batch),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <class Q> void ping_pong(benchmark::State &state) {
  auto [ping_tx, ping_rx] = Q::make();
  auto [pong_tx, pong_rx] = Q::make();
  std::thread echo([ping_rx = std::move(ping_rx),
                    pong_tx = std::move(pong_tx)]() mutable {
    for (;;) {
      const std::uint64_t v = Q::recv(ping_rx);
      if (v == ~std::uint64_t{0})
        return;
      Q::send(pong_tx, v);
    }
  });
  std::uint64_t i = 0;
  for (auto _ : state) {
    Q::send(ping_tx, i++);
    benchmark::DoNotOptimize(Q::recv(pong_rx));
  }
  Q::send(ping_tx, ~std::uint64_t{0});
  echo.join();
  state.counters["ns_per_msg"] = benchmark::Counter(
      static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

using MutexUnbounded = Mutex<0>;
using MutexBounded = Mutex<kBoundedCap>;

BENCHMARK(same_thread<Unbounded>)->Name("same_thread/unbounded")->UseRealTime();
BENCHMARK(same_thread<Bounded>)->Name("same_thread/bounded")->UseRealTime();
BENCHMARK(same_thread<MutexUnbounded>)->Name("same_thread/mutex_deque")->UseRealTime();
BENCHMARK(same_thread<MutexBounded>)
    ->Name("same_thread/mutex_deque_bounded")
    ->UseRealTime();

// One iteration = one run of kBatch messages, as in bench/rust_mpsc, so that
// "best of N repetitions" means the same thing on both sides.
BENCHMARK(throughput<Unbounded>)
    ->Name("throughput/unbounded")
    ->UseRealTime()
    ->Iterations(1);
BENCHMARK(throughput<Bounded>)
    ->Name("throughput/bounded")
    ->UseRealTime()
    ->Iterations(1);
BENCHMARK(throughput<Rendezvous>)
    ->Name("throughput/rendezvous")
    ->UseRealTime()
    ->Iterations(1);
BENCHMARK(throughput<MutexUnbounded>)
    ->Name("throughput/mutex_deque")
    ->UseRealTime()
    ->Iterations(1);
BENCHMARK(throughput<MutexBounded>)
    ->Name("throughput/mutex_deque_bounded")
    ->UseRealTime()
    ->Iterations(1);

BENCHMARK(ping_pong<Unbounded>)->Name("ping_pong/unbounded")->UseRealTime();
BENCHMARK(ping_pong<Bounded>)->Name("ping_pong/bounded")->UseRealTime();
BENCHMARK(ping_pong<Rendezvous>)->Name("ping_pong/rendezvous")->UseRealTime();
BENCHMARK(ping_pong<MutexUnbounded>)->Name("ping_pong/mutex_deque")->UseRealTime();

} // namespace

BENCHMARK_MAIN();
