// Capture with glibc's backtrace(); symbolise with elfutils' libdw.
#include "stacktrace.h"

#include <cxxabi.h>
#include <elfutils/libdwfl.h>
#include <execinfo.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

namespace fearless::detail {

namespace {

// One Dwfl session for the process, created on first use. Reports are rare;
// a lock keeps libdw (not thread-safe) to one thread at a time.
struct Symbolizer {
  std::mutex mu;
  Dwfl *dwfl = nullptr;
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
  ~Symbolizer() {
    if (dwfl)
      dwfl_end(dwfl);
  }

  static Symbolizer &get() {
    static Symbolizer s;
    return s;
  }

  struct Frame {
    std::string function;
    std::string file;
    int line = 0;
  };

  Frame lookup(void *address) {
    Frame f;
    std::lock_guard<std::mutex> lock(mu);
    if (!dwfl)
      return f;
    auto addr = reinterpret_cast<Dwarf_Addr>(address);
    Dwfl_Module *module = dwfl_addrmodule(dwfl, addr);
    if (!module)
      return f;
    if (const char *name = dwfl_module_addrname(module, addr)) {
      int status = 0;
      std::unique_ptr<char, void (*)(void *)> demangled(
          abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
      f.function = status == 0 && demangled ? demangled.get() : name;
    }
    if (Dwfl_Line *line = dwfl_module_getsrc(module, addr)) {
      int lineno = 0;
      if (const char *file =
              dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr)) {
        f.file = file;
        f.line = lineno;
      }
    }
    return f;
  }
};

// A return address points after the call; look up the call itself.
void *call_site(void *return_address) {
  return static_cast<char *>(return_address) - 1;
}

bool is_runtime_frame(const Symbolizer::Frame &f) {
  return f.function.rfind("fearless::detail::", 0) == 0 ||
         f.file.find("runtime-checker/src/") != std::string::npos;
}

std::string describe(const Symbolizer::Frame &f, void *address) {
  std::string out = f.function.empty() ? "??" : f.function;
  if (!f.file.empty()) {
    // Keep the last two path components: short and still unambiguous.
    std::string file = f.file;
    std::size_t cut = file.rfind('/');
    if (cut != std::string::npos && cut > 0)
      cut = file.rfind('/', cut - 1);
    if (cut != std::string::npos)
      file = file.substr(cut + 1);
    out += " at " + file + ":" + std::to_string(f.line);
  } else {
    char buf[32];
    std::snprintf(buf, sizeof buf, " (%p)", address);
    out += buf;
  }
  return out;
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

std::string describe_address(void *address) {
  void *site = call_site(address);
  return describe(Symbolizer::get().lookup(site), site);
}

std::string format_stack(const Stack &stack, const char *indent) {
  std::string out;
  int n = 0;
  for (void *address : stack) {
    void *site = call_site(address);
    Symbolizer::Frame f = Symbolizer::get().lookup(site);
    if (is_runtime_frame(f))
      continue;
    if (f.function == "main" || n >= 12) {
      out += indent + std::string("#") + std::to_string(n++) + " " +
             describe(f, site) + "\n";
      break;
    }
    out += indent + std::string("#") + std::to_string(n++) + " " +
           describe(f, site) + "\n";
  }
  return out;
}

} // namespace fearless::detail
