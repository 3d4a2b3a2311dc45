// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Classes from code addresses, and LockStates by address, for locks that
// fearless did not construct (foreign_lock.h).
#include "foreign_lock.h"

#include "stacktrace.h"
#include "tracker_internal.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {
namespace {

// --- classes from code addresses --------------------------------------------

// One class per code address (a call instruction's return address): locks
// first taken there share it. Keyed by the address, not by the source
// line, so that the locks one std::scoped_lock takes are two classes: the
// user's frame is the same for both, so a place reached through the
// standard library (std::lock's lock() and try_lock(), not inlined) is keyed
// by the library's address too. Named "file:line:column", with "#2", "#3"
// for further keys at the same place.
struct SiteClasses {
  using Key = std::pair<const void *, const void *>; // user code, library
  std::mutex mu;
  // 0: the address is the standard library's, look up the stack.
  std::map<Key, ClassId> by_address FEARLESS_GUARDED_BY(mu);
  std::unordered_map<std::string, int> names FEARLESS_GUARDED_BY(mu);
};

SiteClasses &site_classes() {
  static SiteClasses *c = new SiteClasses; // never destroyed: locks run at exit
  return *c;
}

// The class of the code returning to `address` (through the library code
// returning to `via`, if not null): 0 if that code is the standard
// library's or the runtime's. `*known` is false when nothing at all is
// known of the address.
ClassId class_at(const void *address, const void *via, bool *known) {
  SiteClasses &sites = site_classes();
  SiteClasses::Key key{address, via};
  *known = true;
  {
    std::lock_guard<std::mutex> guard(sites.mu);
    auto it = sites.by_address.find(key);
    if (it != sites.by_address.end())
      return it->second;
  }
  // Symbolised outside the lock; a racing thread does the same.
  std::string file, function;
  int line = 0, column = 0;
  if (!user_site_at(const_cast<void *>(address), &file, &line, &column,
                    &function)) {
    std::lock_guard<std::mutex> guard(sites.mu);
    sites.by_address.emplace(key, 0);
    return 0;
  }
  std::string name = function; // no line table: the function is the place
  if (!file.empty()) {
    std::size_t cut = file.rfind('/');
    name = file.substr(cut == std::string::npos ? 0 : cut + 1);
    name.append(":").append(std::to_string(line));
    if (column != 0)
      name.append(":").append(std::to_string(column));
  }
  if (name.empty()) {
    *known = false;
    return 0;
  }
  std::lock_guard<std::mutex> guard(sites.mu);
  auto [it, inserted] = sites.by_address.emplace(key, 0);
  if (inserted) {
    int n = ++sites.names[name];
    it->second = class_named(n == 1 ? name : name + "#" + std::to_string(n));
  }
  return it->second;
}

// The first user frame above `return_address` on the calling thread's
// stack (the one called std::mutex::lock, say); 0 if there is none.
ClassId class_up_the_stack(const void *return_address) {
  Stack stack = capture_stack(0);
  std::size_t i = 0;
  while (i < stack.size() && stack[i] != return_address)
    ++i;
  bool known = true;
  for (++i; i < stack.size(); ++i)
    if (ClassId c = class_at(stack[i], return_address, &known))
      return c;
  return 0;
}

// --- the user's code, for "acquired at"
// ---------------------------------------

// The verdict on the code returning to `address`: true if it is the
// user's, false if it is the runtime's, the standard library's or the C
// and C++ runtimes'. Both verdicts are kept (the last bit).
bool is_user_code(const void *address) {
  auto a = reinterpret_cast<std::uintptr_t>(address);
  std::atomic<std::uintptr_t> &slot = g_user_code[user_code_slot(a)];
  std::uintptr_t seen = slot.load(std::memory_order_relaxed);
  if ((seen >> 1) == a)
    return seen & 1;
  std::string file, function;
  int line = 0, column = 0;
  bool user = user_site_at(const_cast<void *>(address), &file, &line, &column,
                           &function);
  slot.store((a << 1) | std::uintptr_t(user), std::memory_order_relaxed);
  return user;
}

// --- LockStates by address -------------------------------------------------

// Open addressing with linear probing. Lookups take no lock; inserts,
// removals and growth take `mu_`. A removal shifts the entries after it
// back (no tombstones), so a table is replaced only when it grows, and the
// replaced ones, which a lookup may still be reading, are kept: all of them
// add up to less than the last one.
//
// Invariant: a lookup may miss a key that a concurrent removal is moving
// (a miss is only a hint: the caller asks again under `mu_`, lookup()), and
// never returns another key's state: it reads the key again after the
// state, and a slot is emptied before it takes another key.
class AddressTable {
public:
  /// The state of `key`, or nullptr; exact.
  LockState *lookup(std::uintptr_t key) {
    if (LockState *s = find(key))
      return s;
    std::lock_guard<std::mutex> guard(mu_);
    return find(key);
  }

  /// The state of `key`, made if there is none.
  LockState *find_or_make_fast(std::uintptr_t key) {
    LockState *s = find(key);
    return s ? s : find_or_make(key);
  }

  LockState *find_or_make(std::uintptr_t key) {
    std::lock_guard<std::mutex> guard(mu_);
    if (LockState *s = find(key))
      return s;
    if (!table_.load(std::memory_order_relaxed) ||
        (live_ + 1) * 4 > capacity() * 3)
      grow();
    Table *t = table_.load(std::memory_order_relaxed);
    auto *s = new LockState;
    std::size_t i = hash(key) & t->mask;
    while (t->slots[i].key.load(std::memory_order_relaxed) != kEmpty)
      i = (i + 1) & t->mask;
    put(t->slots[i], key, s);
    ++live_;
    return s;
  }

  void remove(std::uintptr_t key) {
    std::lock_guard<std::mutex> guard(mu_);
    Table *t = table_.load(std::memory_order_relaxed);
    if (!t)
      return;
    std::size_t i = hash(key) & t->mask;
    for (;; i = (i + 1) & t->mask) {
      std::uintptr_t k = t->slots[i].key.load(std::memory_order_relaxed);
      if (k == kEmpty)
        return;
      if (k == key)
        break;
    }
    LockState *gone = t->slots[i].state.load(std::memory_order_relaxed);
    t->slots[i].key.store(kEmpty, std::memory_order_release);
    // Backward shift: an entry after the hole whose home is not between the
    // hole and itself moves into the hole (key and state together).
    for (std::size_t j = (i + 1) & t->mask;; j = (j + 1) & t->mask) {
      std::uintptr_t k = t->slots[j].key.load(std::memory_order_relaxed);
      if (k == kEmpty)
        break;
      std::size_t home = hash(k) & t->mask;
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays)
        continue;
      put(t->slots[i], k, t->slots[j].state.load(std::memory_order_relaxed));
      t->slots[j].key.store(kEmpty, std::memory_order_release);
      i = j;
    }
    --live_;
    delete gone;
  }

private:
  static constexpr std::uintptr_t kEmpty = 0;
  struct Slot {
    std::atomic<std::uintptr_t> key{kEmpty};
    std::atomic<LockState *> state{nullptr};
  };
  struct Table {
    std::size_t mask;
    Slot *slots;
    const Table *older; // kept, and reachable: a lookup may still read it
  };

  static std::size_t hash(std::uintptr_t key) {
    return std::size_t((key >> 3) * 0x9e3779b97f4a7c15ull >> 16);
  }
  std::size_t capacity() const {
    const Table *t = table_.load(std::memory_order_relaxed);
    return t ? t->mask + 1 : 0;
  }

  // Publishes `key` -> `state` in an empty slot: the state first (release:
  // a lookup that reads it reads the slot's emptying before), the key last.
  static void put(Slot &slot, std::uintptr_t key, LockState *state) {
    slot.state.store(state, std::memory_order_release);
    slot.key.store(key, std::memory_order_release);
  }

  // Without the lock: may miss a key being moved (see the invariant).
  LockState *find(std::uintptr_t key) const noexcept {
    const Table *t = table_.load(std::memory_order_acquire);
    if (!t)
      return nullptr;
    for (std::size_t i = hash(key) & t->mask;; i = (i + 1) & t->mask) {
      const Slot &slot = t->slots[i];
      std::uintptr_t k = slot.key.load(std::memory_order_acquire);
      if (k == kEmpty)
        return nullptr;
      if (k != key)
        continue;
      LockState *s = slot.state.load(std::memory_order_acquire);
      if (slot.key.load(std::memory_order_relaxed) == key)
        return s;
      return nullptr; // moved meanwhile: a miss
    }
  }

  // Twice the capacity; the old table is kept. Only under `mu_`, as every
  // change of the table.
  void grow() FEARLESS_REQUIRES(mu_) {
    std::size_t cap = std::max<std::size_t>(64, capacity() * 2);
    const Table *old = table_.load(std::memory_order_relaxed);
    auto *fresh = new Table{cap - 1, new Slot[cap], old};
    if (old)
      for (std::size_t j = 0; j <= old->mask; ++j) {
        std::uintptr_t k = old->slots[j].key.load(std::memory_order_relaxed);
        if (k == kEmpty)
          continue;
        std::size_t i = hash(k) & fresh->mask;
        while (fresh->slots[i].key.load(std::memory_order_relaxed) != kEmpty)
          i = (i + 1) & fresh->mask;
        put(fresh->slots[i], k,
            old->slots[j].state.load(std::memory_order_relaxed));
      }
    table_.store(fresh, std::memory_order_release);
  }

  std::mutex mu_;
  std::atomic<Table *> table_{nullptr};
  std::size_t live_ FEARLESS_GUARDED_BY(mu_) = 0;
};

AddressTable &address_table() {
  static AddressTable *t = new AddressTable; // never destroyed (see above)
  return *t;
}

} // namespace

std::atomic<std::uintptr_t> g_user_code[kUserCodeSlots];

const void *user_caller_slow(const void *return_address) noexcept {
  Inside in; // the symboliser takes a lock
  if (return_address == nullptr || is_user_code(return_address))
    return return_address;
  void *frames[40];
  int n = capture_stack_again(frames, 40, 0);
  int i = 0;
  while (i < n && frames[i] != return_address)
    ++i;
  for (++i; i < n; ++i)
    if (is_user_code(frames[i]))
      return frames[i];
  // No user frame above it either (a lambda inlined into std::thread's
  // entry in a program without debug information): the answer is the
  // address itself, and will be next time. Remembered as if it were the
  // user's, so that the next lock from there costs a table lookup, not a
  // stack capture (one per lock made such a two-thread loop 2-3x slower).
  auto a = reinterpret_cast<std::uintptr_t>(return_address);
  g_user_code[user_code_slot(a)].store((a << 1) | 1,
                                       std::memory_order_relaxed);
  return return_address;
}

void class_from_code(LockState &lock, const void *return_address) noexcept {
  Inside in;
  bool known = true;
  ClassId cls = class_at(return_address, nullptr, &known);
  if (cls == 0)
    cls = class_up_the_stack(return_address);
  ClassId none = 0;
  if (cls != 0)
    lock.cls.compare_exchange_strong(none, cls, std::memory_order_acq_rel);
}

void class_from_source(LockState &lock, const char *name, const char *file,
                       unsigned line) noexcept {
  Inside in;
  ClassId cls = name ? class_named(name) : file ? class_at_line(file, line) : 0;
  if (cls == 0)
    return;
  lock.owner.store(0, std::memory_order_relaxed);
  lock.cls.store(cls, std::memory_order_release);
}

LockState *foreign_lock(const void *address, bool make) noexcept {
  auto key = reinterpret_cast<std::uintptr_t>(address);
  if (key == 0) // the table's empty key
    return nullptr;
  Inside in; // a miss takes the table's lock
  AddressTable &table = address_table();
  return make ? table.find_or_make_fast(key) : table.lookup(key);
}

void forget_foreign_lock(const void *address) noexcept {
  auto key = reinterpret_cast<std::uintptr_t>(address);
  Inside in;
  if (key != 0)
    address_table().remove(key);
}

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING
