// RUN: %check_fearless_tidy %s fearless-lock-order %t

// The notes: both paths of an inversion, and the call path of a
// self-deadlock.
#include <mutex>

std::mutex a_mu, b_mu;

void ab() {
  std::lock_guard<std::mutex> a(a_mu);
  std::lock_guard<std::mutex> b(b_mu);
}

void ba() {
  std::lock_guard<std::mutex> b(b_mu);
  std::lock_guard<std::mutex> a(a_mu);
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: lock-order inversion: 'b_mu' -> 'a_mu' -> 'b_mu'; threads taking these paths at once deadlock [fearless-lock-order]
  // CHECK-NOTES: :[[@LINE-2]]:31: warning: lock-order inversion: 'b_mu' -> 'a_mu' -> 'b_mu'; threads taking these paths at once deadlock [fearless-lock-order]
  // CHECK-NOTES: :[[@LINE-4]]:31: note: 'b_mu' acquired here in 'ba'
  // CHECK-NOTES: :[[@LINE-4]]:31: note: then 'a_mu' acquired here while holding 'b_mu'
  // CHECK-NOTES: :[[@LINE-11]]:31: note: 'a_mu' acquired here in 'ab'
  // CHECK-NOTES: :[[@LINE-11]]:31: note: then 'b_mu' acquired here while holding 'a_mu'
}

std::mutex g_mu;
void leaf() { std::lock_guard<std::mutex> g(g_mu); }
void middle() { leaf(); }
void top() {
  std::lock_guard<std::mutex> g(g_mu);
  middle();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: call to 'middle' acquires 'g_mu', which is already held: self-deadlock [fearless-lock-order]
  // CHECK-NOTES: :[[@LINE-2]]:3: warning: call to 'middle' acquires 'g_mu', which is already held: self-deadlock [fearless-lock-order]
  // CHECK-NOTES: :[[@LINE-4]]:31: note: 'g_mu' acquired here
  // CHECK-NOTES: :[[@LINE-7]]:17: note: 'middle' calls 'leaf' here
  // CHECK-NOTES: :[[@LINE-9]]:43: note: 'leaf' acquires 'g_mu' here
}
