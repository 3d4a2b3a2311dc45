// A reference into locked data that outlives the lock: the caller reads
// (or writes) the map while another thread modifies it. Rust's borrow
// checker rejects this; fearless reports it as fearless-guard-escape.
#include "fearless/mutex.h"

#include <map>
#include <string>

namespace guard_escape {

class Registry {
public:
  // Buggy: the guard unlocks 'names_' when name_of returns; the reference
  // it returns points into the map all the same.
  const std::string &name_of(int id) {
    auto names = names_.lock();
    return (*names)[id];
  }

  // Correct: a copy, taken while the guard is held.
  std::string name_of_copy(int id) {
    auto names = names_.lock();
    return (*names)[id];
  }

private:
  fearless::Mutex<std::map<int, std::string>> names_;
};

} // namespace guard_escape
