// Capture with glibc's backtrace(); symbolise with elfutils' libdw.
#include "stacktrace.h"

#include "fearless/thread_safety.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <execinfo.h>
#include <unistd.h>
#include <unwind.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace fearless::detail {

std::atomic<void (*)()> g_symbolize_hook{nullptr};

namespace {

// One Dwfl session for the process, created on first use and never
// destroyed: a report made by a static destructor or an exit-time check
// (a global lock destroyed while held) still symbolises. A lock keeps libdw
// (not thread-safe) to one thread at a time; every address looked up is
// cached, so a report of a long cycle, or the next report from the same
// code, costs a hash lookup per frame instead of a DWARF walk.
struct Symbolizer {
  struct Frame {
    std::string function;
    std::string file;
    int line = 0;
    int column = 0; // 0 if unknown
    bool library = false; // in the C or C++ runtime's or fearless's module
  };

  std::mutex mu;
  Dwfl *dwfl FEARLESS_GUARDED_BY(mu) = nullptr;
  std::unordered_map<void *, std::vector<Frame>> cache FEARLESS_GUARDED_BY(mu);
  Dwfl_Callbacks callbacks{};
  char *debuginfo_path = nullptr;

  Symbolizer() {
    callbacks.find_elf = dwfl_linux_proc_find_elf;
    callbacks.find_debuginfo = dwfl_standard_find_debuginfo;
    callbacks.debuginfo_path = &debuginfo_path;
    dwfl = dwfl_begin(&callbacks);
    if (dwfl) {
      dwfl_report_begin(dwfl);
      if (dwfl_linux_proc_report(dwfl, getpid()) != 0 ||
          dwfl_report_end(dwfl, nullptr, nullptr) != 0) {
        dwfl_end(dwfl);
        dwfl = nullptr;
      }
    }
  }
  static Symbolizer &get() {
    static Symbolizer *s = new Symbolizer; // never destroyed (see above)
    return *s;
  }

  // The source frames at `address`, innermost first: the line the code
  // comes from, then the call site of each function inlined there (so a
  // lock() inlined into the user's function yields the user's line too).
  std::vector<Frame> lookup(void *address) {
    if (auto hook = g_symbolize_hook.load(std::memory_order_acquire))
      hook();
    std::lock_guard<std::mutex> lock(mu);
    auto [it, inserted] = cache.try_emplace(address);
    if (inserted)
      it->second = lookup_uncached(address);
    return it->second;
  }

  // "module+0xoffset" for a code address in a module without symbols (a
  // stripped program), "" if it is in none.
  std::string module_offset(void *address) {
    std::lock_guard<std::mutex> lock(mu);
    auto addr = reinterpret_cast<Dwarf_Addr>(address);
    Dwfl_Module *module = dwfl ? dwfl_addrmodule(dwfl, addr) : nullptr;
    Dwarf_Addr start = 0;
    const char *name = module ? dwfl_module_info(module, nullptr, &start,
                                                 nullptr, nullptr, nullptr,
                                                 nullptr, nullptr)
                              : nullptr;
    if (!name)
      return "";
    const char *base = std::strrchr(name, '/');
    char offset[32];
    std::snprintf(offset, sizeof offset, "+0x%llx",
                  static_cast<unsigned long long>(addr - start));
    return std::string(base ? base + 1 : name) + offset;
  }

  std::vector<Frame> lookup_uncached(void *address) FEARLESS_REQUIRES(mu) {
    std::vector<Frame> frames(1);
    if (!dwfl)
      return frames;
    auto addr = reinterpret_cast<Dwarf_Addr>(address);
    Dwfl_Module *module = dwfl_addrmodule(dwfl, addr);
    if (!module)
      return frames;
    bool library = is_library_module(dwfl_module_info(
        module, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
    if (const char *name = dwfl_module_addrname(module, addr)) {
      int status = 0;
      std::unique_ptr<char, void (*)(void *)> demangled(
          abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
      frames[0].function = status == 0 && demangled ? demangled.get() : name;
    }
    if (Dwfl_Line *line = dwfl_module_getsrc(module, addr)) {
      int lineno = 0, column = 0;
      if (const char *file =
              dwfl_lineinfo(line, nullptr, &lineno, &column, nullptr, nullptr)) {
        frames[0].file = file;
        frames[0].line = lineno;
        frames[0].column = column;
      }
    }
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = dwfl_module_addrdie(module, addr, &bias);
    Dwarf_Files *files = nullptr;
    std::size_t nfiles = 0;
    Dwarf_Die *scopes = nullptr;
    int n = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
    if (n > 0) {
      // dwarf_getscopes stops at the first inlined instance's abstract
      // origin; the concrete chain of inlined calls comes from the DIE
      // itself (as eu-addr2line -i does).
      Dwarf_Die innermost = scopes[0];
      std::free(scopes);
      scopes = nullptr;
      n = dwarf_getscopes_die(&innermost, &scopes);
    } else if (Dwarf_Die innermost; cu && n == 0 &&
               innermost_at(cu, addr - bias, &innermost)) {
      // A function GCC describes inside another's DIE whose addresses do
      // not cover it (a lambda's operator() inside its enclosing function,
      // out of line at -O0): dwarf_getscopes finds nothing.
      std::free(scopes);
      scopes = nullptr;
      n = dwarf_getscopes_die(&innermost, &scopes);
    }
    if (n > 0 && dwarf_getsrcfiles(cu, &files, &nfiles) == 0) {
      for (int i = 0; i < n; ++i) {
        if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
          continue;
        Dwarf_Attribute attr;
        Dwarf_Word file_index = 0, line = 0, column = 0;
        if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr),
                            &file_index) != 0 ||
            dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr),
                            &line) != 0)
          continue;
        dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_column, &attr),
                        &column); // stays 0 without one
        const char *file = dwarf_filesrc(files, file_index, nullptr, nullptr);
        frames.push_back({"", file ? file : "", int(line), int(column)});
      }
    }
    std::free(scopes);
    // The function name belongs to the physical frame: the outermost.
    if (frames.size() > 1)
      std::swap(frames.front().function, frames.back().function);
    for (Frame &f : frames)
      f.library = library;
    return frames;
  }

  // The innermost function or inlined call among `parent`'s descendants
  // whose code covers `pc`, searched whether or not their ancestors' does.
  static bool innermost_at(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *out) {
    Dwarf_Die child;
    if (dwarf_child(parent, &child) != 0)
      return false;
    do {
      int tag = dwarf_tag(&child);
      bool code = tag == DW_TAG_subprogram ||
                  tag == DW_TAG_inlined_subroutine ||
                  tag == DW_TAG_lexical_block;
      if (code && dwarf_haspc(&child, pc) == 1) {
        *out = child;
        innermost_at(&child, pc, out); // a deeper one, if any
        return true;
      }
      if (dwarf_haschildren(&child) && innermost_at(&child, pc, out))
        return true;
    } while (dwarf_siblingof(&child, &child) == 0);
    return false;
  }

  // The shared libraries whose code is never the user's: the C and C++
  // runtimes (libc, libstdc++, libc++ and their helpers, the dynamic
  // loader) and fearless's own (the shared runtime, the preload).
  static bool is_library_module(const char *path) {
    if (!path)
      return false;
    const char *base = std::strrchr(path, '/');
    std::string_view name = base ? base + 1 : path;
    for (std::string_view prefix :
         {"libc.so", "libc-", "libpthread", "libstdc++", "libc++", "libgcc_s",
          "libm.so", "ld-linux", "libfearless"})
      if (name.substr(0, prefix.size()) == prefix)
        return true;
    return false;
  }
};

// A return address points after the call; look up the call itself.
void *call_site(void *return_address) {
  return static_cast<char *>(return_address) - 1;
}

// Frames of the runtime itself (its sources, its headers, the preload's
// interposers) and of the standard library's headers (libstdc++'s
// target-specific ones, gthr-default.h, are under /usr/include/<triplet>/c++/)
// say nothing the user can act on: stacks leave them out.
bool is_runtime_frame(const Symbolizer::Frame &f) {
  if (f.file.empty())
    return f.function.rfind("fearless::", 0) == 0;
  if (f.file.find("runtime-checker/src/") != std::string::npos ||
      f.file.find("runtime-checker/preload/") != std::string::npos ||
      f.file.find("/include/fearless/") != std::string::npos)
    return true;
  std::size_t cxx = f.file.find("/c++/");
  return cxx != std::string::npos && f.file.rfind("/include/", cxx) !=
                                         std::string::npos;
}

// The user's code, where a lock is said to be acquired: not the runtime's
// nor the standard library's headers, nor the C and C++ runtimes' libraries
// (std::condition_variable::wait in libstdc++.so, pthread_cond_wait in
// libc); without a line table, not in the standard library's namespaces.
bool is_user_frame(const Symbolizer::Frame &f) {
  if (f.library || is_runtime_frame(f))
    return false;
  return !f.file.empty() || (f.function.rfind("std::", 0) != 0 &&
                             f.function.rfind("__gnu_cxx::", 0) != 0);
}

std::string describe(const Symbolizer::Frame &f, void *address) {
  std::string where;
  if (!f.file.empty()) {
    // Keep the last two path components: short and still unambiguous.
    std::string file = f.file;
    std::size_t cut = file.rfind('/');
    if (cut != std::string::npos && cut > 0)
      cut = file.rfind('/', cut - 1);
    if (cut != std::string::npos)
      file = file.substr(cut + 1);
    where = file + ":" + std::to_string(f.line);
  } else {
    char buf[32];
    std::snprintf(buf, sizeof buf, "(%p)", address);
    where = buf;
  }
  if (f.function.empty()) // an inlined call site: the line says it all
    return f.file.empty() ? "?? " + where : where;
  // Lambdas run by std::thread have names of several hundred characters.
  std::string name =
      f.function.size() > 70 ? f.function.substr(0, 67) + "..." : f.function;
  return name + (f.file.empty() ? " " : " at ") + where;
}

} // namespace

Stack capture_stack(int skip) {
  void *frames[48];
  int n = backtrace(frames, 48);
  Stack stack;
  for (int i = skip + 1; i < n; ++i) // +1: this function
    stack.push_back(frames[i]);
  return stack;
}

int capture_stack(void **out, int max, int skip) {
  void *frames[64];
  int want = skip + 1 + max; // +1: this function
  int n = backtrace(frames, want < 64 ? want : 64);
  int count = 0;
  for (int i = skip + 1; i < n && count < max; ++i)
    out[count++] = frames[i];
  return count;
}

namespace {

constexpr int kAgainFrames = 40;
// Places a thread blocks at in turn (a bounded channel's send and receive,
// a condvar and its mutex) each keep their capture.
constexpr int kAgainPlaces = 4;

// A thread's last capture_stack_again at one place: each frame's code
// address (for the frames above the first, a return address) and the
// canonical frame address (CFA) the unwinder gives with it. On x86-64 the
// return address ips[k] (k >= 1) is kept on the stack just below cfas[k]:
// where the call into the frame below pushed it.
struct LastCapture {
  const void *anchor = nullptr; // capture_stack_again's frame: its depth
  int size = 0;
  void *ips[kAgainFrames] = {};
  std::uintptr_t cfas[kAgainFrames] = {};
};
struct LastCaptures {
  LastCapture places[kAgainPlaces];
  int next = 0; // the one to replace next
};
constinit thread_local LastCaptures t_last;

struct Collect {
  LastCapture *into;
  int max;
};

_Unwind_Reason_Code collect_frame(_Unwind_Context *context, void *arg) {
  auto *c = static_cast<Collect *>(arg);
  LastCapture &l = *c->into;
  void *ip = reinterpret_cast<void *>(_Unwind_GetIP(context));
  if (l.size >= c->max || ip == nullptr) // no code address: _start's caller
    return _URC_END_OF_STACK;
  l.ips[l.size] = ip;
  l.cfas[l.size] = static_cast<std::uintptr_t>(_Unwind_GetCFA(context));
  ++l.size;
  return _URC_NO_REASON;
}

// True if every return address of `l` is still in its slot: the frames
// are the same calls as then. Called only when capture_stack_again's frame
// is where it was (the anchor), so every slot checked before the first
// mismatch is in a live frame above it. Safety: every slot is an address
// of this thread's own stack (the capture was made on it; t_last is per
// thread), which stays mapped while the thread lives, so reading it cannot
// fault. Not instrumented: a slot may now be a sanitizer's red zone or
// another frame's local, which only makes the check fail.
[[gnu::no_sanitize_address, gnu::no_sanitize_thread]] bool
still_in_place(const LastCapture &l) {
#if defined(__x86_64__)
  // Frame 0 is capture_stack_again's call into the unwinder, gone now;
  // frame 1's slot is capture_stack_again's own return address.
  for (int k = 1; k < l.size; ++k)
    if (*reinterpret_cast<void *const *>(l.cfas[k] - sizeof(void *)) !=
        l.ips[k])
      return false;
  return l.size > 1;
#else
  (void)l;
  return false;
#endif
}

} // namespace

[[gnu::noinline]] int capture_stack_again(void **out, int max, int skip) {
  // This frame's place on the (real) stack: its depth. Not a local's
  // address, which AddressSanitizer may move to a heap "fake stack".
  const void *anchor = __builtin_frame_address(0);
  LastCapture *l = nullptr;
  for (LastCapture &p : t_last.places)
    if (p.anchor == anchor && still_in_place(p)) {
      l = &p;
      break;
    }
  if (!l) {
    l = &t_last.places[t_last.next];
    t_last.next = (t_last.next + 1) % kAgainPlaces;
    // _Unwind_Backtrace reports this function first, then its callers.
    l->size = 0;
    l->anchor = anchor;
    Collect c{l, skip + 1 + max < kAgainFrames ? skip + 1 + max : kAgainFrames};
    _Unwind_Backtrace(collect_frame, &c);
  }
  int count = 0;
  for (int i = skip + 1; i < l->size && count < max; ++i) // +1: this function
    out[count++] = l->ips[i];
  return count;
}

std::string describe_address(void *address) {
  void *site = call_site(address);
  std::vector<Symbolizer::Frame> frames = Symbolizer::get().lookup(site);
  for (const auto &f : frames)
    if (is_user_frame(f))
      return describe(f, site);
  return describe(frames.back(), site);
}

std::string describe_code_site(void *pc, void *ret) {
  if (pc) {
    void *site = call_site(pc);
    for (const auto &f : Symbolizer::get().lookup(site))
      if (is_user_frame(f))
        return describe(f, site);
  }
  return ret ? describe_address(ret) : "?";
}

bool user_site_at(void *return_address, std::string *file, int *line,
                  int *column, std::string *function) {
  void *site = call_site(return_address);
  for (const auto &f : Symbolizer::get().lookup(site)) {
    if (!is_user_frame(f))
      continue;
    if (f.file.empty() && f.function.empty()) { // no symbols: a stripped program
      *file = "";
      *line = *column = 0;
      *function = Symbolizer::get().module_offset(site);
      return !function->empty();
    }
    *file = f.file;
    *line = f.line;
    *column = f.column;
    *function = f.function;
    return true;
  }
  return false;
}

std::string format_stack(const Stack &stack, const char *indent) {
  std::string out;
  int n = 0;
  for (void *address : stack) {
    void *site = call_site(address);
    for (const auto &f : Symbolizer::get().lookup(site)) {
      if (is_runtime_frame(f))
        continue;
      out += indent + std::string("#") + std::to_string(n++) + " " +
             describe(f, site) + "\n";
      if (f.function == "main" || n >= 12)
        return out;
    }
  }
  return out;
}

} // namespace fearless::detail
