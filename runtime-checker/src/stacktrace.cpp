// Capture with glibc's backtrace(); symbolise with elfutils' libdw.
#include "stacktrace.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
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

  // The source frames at `address`, innermost first: the line the code
  // comes from, then the call site of each function inlined there (so a
  // lock() inlined into the user's function yields the user's line too).
  std::vector<Frame> lookup(void *address) {
    std::vector<Frame> frames(1);
    std::lock_guard<std::mutex> lock(mu);
    if (!dwfl)
      return frames;
    auto addr = reinterpret_cast<Dwarf_Addr>(address);
    Dwfl_Module *module = dwfl_addrmodule(dwfl, addr);
    if (!module)
      return frames;
    if (const char *name = dwfl_module_addrname(module, addr)) {
      int status = 0;
      std::unique_ptr<char, void (*)(void *)> demangled(
          abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
      frames[0].function = status == 0 && demangled ? demangled.get() : name;
    }
    if (Dwfl_Line *line = dwfl_module_getsrc(module, addr)) {
      int lineno = 0;
      if (const char *file =
              dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr)) {
        frames[0].file = file;
        frames[0].line = lineno;
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
    }
    if (n > 0 && dwarf_getsrcfiles(cu, &files, &nfiles) == 0) {
      for (int i = 0; i < n; ++i) {
        if (dwarf_tag(&scopes[i]) != DW_TAG_inlined_subroutine)
          continue;
        Dwarf_Attribute attr;
        Dwarf_Word file_index = 0, line = 0;
        if (dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &attr),
                            &file_index) != 0 ||
            dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &attr),
                            &line) != 0)
          continue;
        const char *file = dwarf_filesrc(files, file_index, nullptr, nullptr);
        frames.push_back({"", file ? file : "", int(line)});
      }
    }
    std::free(scopes);
    // The function name belongs to the physical frame: the outermost.
    if (frames.size() > 1)
      std::swap(frames.front().function, frames.back().function);
    return frames;
  }
};

// A return address points after the call; look up the call itself.
void *call_site(void *return_address) {
  return static_cast<char *>(return_address) - 1;
}

// Frames of the runtime itself (its sources and its headers) and of the
// standard library's headers say nothing the user can act on.
bool is_runtime_frame(const Symbolizer::Frame &f) {
  if (f.file.empty())
    return f.function.rfind("fearless::", 0) == 0;
  return f.file.find("runtime-checker/src/") != std::string::npos ||
         f.file.find("/include/fearless/") != std::string::npos ||
         f.file.find("/include/c++/") != std::string::npos;
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
  std::string name = f.function.size() > 70 ? f.function.substr(0, 67) + "..."
                                            : f.function;
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

std::string describe_address(void *address) {
  void *site = call_site(address);
  std::vector<Symbolizer::Frame> frames = Symbolizer::get().lookup(site);
  for (const auto &f : frames)
    if (!is_runtime_frame(f))
      return describe(f, site);
  return describe(frames.back(), site);
}

std::string describe_code_site(void *pc, void *ret) {
  if (pc) {
    void *site = call_site(pc);
    for (const auto &f : Symbolizer::get().lookup(site))
      if (!is_runtime_frame(f))
        return describe(f, site);
  }
  return ret ? describe_address(ret) : "?";
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
