// The seeds' last exercise: a small concurrent web server. cpp-httplib
// (Debian: libcpp-httplib-dev) parses HTTP; every connection is handled on
// the fearless thread pool (thread_pool.h); the shared state is a
// Mutex<long> (requests served) and an RwLock<std::map> (visits per page,
// read far more often than written); each request sends a log line down a
// channel to a logger thread, which owns the log alone.
//
//   web_server                serve on a free port of 127.0.0.1, drive it
//                             with four HTTP clients (cpp-httplib's, over
//                             the loopback), stop, print what was served
//   web_server --serve [PORT] serve on 127.0.0.1:PORT (default: a free one)
//                             until GET /shutdown; prints "listening on
//                             PORT" first
//
// fearless-check finds nothing to say about it (tests/analyzer/tool/
// dogfood.test), and the tracker nothing at run time, driven by its own
// clients (tests/samples) and under load by Python's (web_server_load.py).
#include "fearless/channel.h"
#include "fearless/mutex.h"
#include "fearless/rwlock.h"
#include "fearless/thread.h"
#include "thread_pool.h"

#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

// What the handlers share. Every member is a fearless primitive: the
// handlers may run on any worker at once.
struct Site {
  explicit Site(fearless::Sender<std::string> to_logger)
      : log(std::move(to_logger)) {}

  fearless::Mutex<long> served{0};
  fearless::RwLock<std::map<std::string, long>> visits;
  fearless::Sender<std::string> log;
};

// cpp-httplib hands each accepted connection to a task queue: this one is
// the fearless thread pool. Destroying it (the server does, when it stops)
// closes the pool's channel and joins the workers.
class PoolQueue : public httplib::TaskQueue {
public:
  explicit PoolQueue(int workers) : pool_(workers) {}
  void enqueue(std::function<void()> task) override {
    pool_.execute(std::move(task));
  }
  void shutdown() override {} // ~ThreadPool joins

private:
  samples::ThreadPool pool_;
};

void routes(httplib::Server &server, const std::shared_ptr<Site> &site) {
  server.Get(R"(/page/(\w+))", [site](const httplib::Request &req,
                                      httplib::Response &res) {
    std::string page = req.matches[1];
    long visits = 0;
    {
      auto w = site->visits.write();
      visits = ++(*w)[page];
    }
    *site->served.lock() += 1;
    (void)site->log.send("GET /page/" + page);
    res.set_content(page + " " + std::to_string(visits) + "\n", "text/plain");
  });
  server.Get("/stats",
             [site](const httplib::Request &, httplib::Response &res) {
               std::string body;
               {
                 auto r = site->visits.read(); // many readers at once
                 for (const auto &[page, n] : *r)
                   body += page + " " + std::to_string(n) + "\n";
               }
               *site->served.lock() += 1;
               (void)site->log.send("GET /stats");
               res.set_content(body, "text/plain");
             });
  server.Get("/shutdown",
             [&server](const httplib::Request &, httplib::Response &res) {
               res.set_content("bye\n", "text/plain");
               server.stop();
             });
}

// Four clients, each with a connection of its own, 50 requests each.
int drive(int port) {
  fearless::Mutex<int> failures(0);
  const char *pages[] = {"home", "about", "news"};
  fearless::scope([&](fearless::Scope &s) {
    for (int c = 0; c < 4; ++c)
      s.spawn([&, c] {
        httplib::Client client("127.0.0.1", port);
        for (int i = 0; i < 50; ++i) {
          std::string path = i % 5 == 4
                                 ? std::string("/stats")
                                 : std::string("/page/") + pages[(c + i) % 3];
          auto res = client.Get(path);
          if (!res || res->status != 200)
            *failures.lock() += 1;
        }
      });
  });
  httplib::Client("127.0.0.1", port).Get("/shutdown");
  return *failures.lock();
}

} // namespace

int main(int argc, char **argv) {
  bool serve = argc > 1 && std::string(argv[1]) == "--serve";
  int port = serve && argc > 2 ? std::atoi(argv[2]) : 0;
  auto [log_tx, log_rx] = fearless::channel<std::string>();
  auto site = std::make_shared<Site>(std::move(log_tx));
  // The logger owns the log: no lock, only the channel.
  auto logger = fearless::Builder().name("logger").spawn(
      [rx = std::move(log_rx)]() mutable {
        long lines = 0;
        for (std::string line : rx)
          lines += !line.empty();
        return lines;
      });

  int failures = 0;
  long served = 0;
  {
    httplib::Server server; // its handlers hold `site`: gone with it
    server.new_task_queue = [] { return new PoolQueue(4); };
    routes(server, site);
    if (port == 0)
      port = server.bind_to_any_port("127.0.0.1");
    else if (!server.bind_to_port("127.0.0.1", port))
      port = -1;
    if (port <= 0) {
      std::fprintf(stderr, "web_server: cannot listen on 127.0.0.1\n");
      return 1;
    }
    std::printf("listening on %d\n", port);
    std::fflush(stdout);
    fearless::scope([&](fearless::Scope &s) {
      s.builder().name("accept").spawn(
          [&server] { server.listen_after_bind(); });
      if (!serve)
        failures = drive(port);
    }); // joins the accepting thread once /shutdown stopped it
    served = *site->served.lock();
  }
  // The last sender goes with `site`: the logger's loop ends. (Joining it
  // while the server's handlers still held a copy was a deadlock, which the
  // tracker reported: every thread blocked, the logger on its channel.)
  site.reset();
  long logged = logger.join();
  std::printf("served %ld requests, logged %ld, %d failed\n", served, logged,
              failures);
  return failures == 0 && served == logged ? 0 : 1;
}
