// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
//
// Real code: cpp-httplib 0.11.4, httplib.h: ClientImpl's protected
// close_socket() and protected virtual shutdown_ssl() read
// socket_requests_in_flight_ (in asserts) without socket_mutex_, because
// every caller holds it; fearless-missing-guarded-by said
// "'socket_requests_in_flight_' is written with 'socket_mutex_' held in 2 of
// 2 places; read without it in 'httplib::ClientImpl::shutdown_ssl' and 1
// other function". Reduced below: a protected helper runs under the locks
// every call holds, and a virtual call counts for each override.

#include <mutex>

class Client {
public:
  virtual ~Client() = default;
  void request() {
    {
      std::lock_guard<std::mutex> l(mu_);
      in_flight_ += 1;
    }
    std::lock_guard<std::mutex> l(mu_);
    in_flight_ -= 1;
    shutdown_ssl();
    close_socket();
  }
  void stop() {
    std::lock_guard<std::mutex> l(mu_);
    shutdown_ssl();
    close_socket();
  }

protected:
  virtual bool shutdown_ssl() { return in_flight_ == 0; }
  bool close_socket() { return in_flight_ == 0; }

  std::mutex mu_;
  int in_flight_ = 0;
};

class SslClient : public Client {
protected:
  bool shutdown_ssl() override { return in_flight_ < 2; } // under mu_ too
};

// Positive twin: a public method makes the virtual call without the lock,
// so the override runs without it there.
class ProbedClient {
public:
  virtual ~ProbedClient() = default;
  void stop() {
    std::lock_guard<std::mutex> l(mu_);
    in_flight_ = 0;
    shutdown_ssl();
  }
  bool probe() { return shutdown_ssl(); }

protected:
  virtual bool shutdown_ssl() { return true; }

  std::mutex mu_;
  int in_flight_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'in_flight_' is written with 'mu_' held in 1 of 1 places; read without it in 'ProbedSsl::shutdown_ssl' [fearless-missing-guarded-by]
};

class ProbedSsl : public ProbedClient {
protected:
  bool shutdown_ssl() override { return in_flight_ == 0; }
};

// Positive twin: an override that is public can be called from anywhere.
class OpenClient {
public:
  virtual ~OpenClient() = default;
  void stop() {
    std::lock_guard<std::mutex> l(mu_);
    in_flight_ = 0;
    shutdown_ssl();
  }

protected:
  virtual bool shutdown_ssl() { return true; }

  std::mutex mu_;
  int in_flight_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'in_flight_' is written with 'mu_' held in 1 of 1 places; read without it in 'OpenSsl::shutdown_ssl' [fearless-missing-guarded-by]
};

class OpenSsl : public OpenClient {
public:
  bool shutdown_ssl() override;
};

bool OpenSsl::shutdown_ssl() { return in_flight_ == 0; } // defined out of line
