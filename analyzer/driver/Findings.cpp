//===--- Findings.cpp - fingerprints and the baseline ---------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

#include "Findings.h"
#include "Output.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <tuple>

namespace fearless::driver {

namespace {

// FNV-1a, 64 bit: stable across platforms and releases, unlike std::hash.
uint64_t fnv1a(const std::string &S, uint64_t H = 14695981039346656037ULL) {
  for (unsigned char C : S) {
    H ^= C;
    H *= 1099511628211ULL;
  }
  return H;
}

std::string collapseSpace(const std::string &S) {
  std::string Out;
  bool Space = false;
  for (char C : S) {
    if (C == ' ' || C == '\t' || C == '\r' || C == '\n') {
      Space = !Out.empty();
      continue;
    }
    if (Space)
      Out += ' ';
    Space = false;
    Out += C;
  }
  return Out;
}

// The lines of each file, read once.
class LineCache {
public:
  const std::vector<std::string> &lines(const std::string &File) {
    auto It = Files.find(File);
    if (It != Files.end())
      return It->second;
    std::vector<std::string> &L = Files[File];
    std::ifstream In(File);
    std::string Line;
    while (std::getline(In, Line))
      L.push_back(collapseSpace(Line));
    return L;
  }

private:
  std::map<std::string, std::vector<std::string>> Files;
};

std::string context(LineCache &Cache, const Location &Loc) {
  const std::vector<std::string> &L = Cache.lines(Loc.File);
  if (Loc.Line == 0 || Loc.Line > L.size())
    return "";
  size_t I = Loc.Line - 1;
  std::string Above, Below;
  for (size_t J = I; J-- > 0;)
    if (!L[J].empty()) {
      Above = L[J];
      break;
    }
  for (size_t J = I + 1; J < L.size(); ++J)
    if (!L[J].empty()) {
      Below = L[J];
      break;
    }
  return Above + "\n" + L[I] + "\n" + Below;
}

} // namespace

std::string normalizeMessage(const std::string &Message) {
  static const std::regex Loc(R"(:[0-9]+(:[0-9]+)?)");
  static const std::regex Line(R"(\bline [0-9]+)");
  return std::regex_replace(std::regex_replace(Message, Loc, ":#"), Line,
                            "line #");
}

void finalizeFindings(std::vector<Finding> &Findings, const std::string &Root) {
  auto Key = [](const Finding &F) {
    return std::tie(F.Loc.File, F.Loc.Line, F.Loc.Column, F.Check, F.Message);
  };
  std::stable_sort(
      Findings.begin(), Findings.end(),
      [&](const Finding &A, const Finding &B) { return Key(A) < Key(B); });
  Findings.erase(std::unique(Findings.begin(), Findings.end(),
                             [&](const Finding &A, const Finding &B) {
                               return Key(A) == Key(B);
                             }),
                 Findings.end());

  LineCache Cache;
  std::map<uint64_t, unsigned> Occurrences;
  for (Finding &F : Findings) {
    uint64_t H = fnv1a(F.Check);
    H = fnv1a("\0" + relativeTo(F.Loc.File, Root), H);
    H = fnv1a("\0" + normalizeMessage(F.Message), H);
    H = fnv1a("\0" + context(Cache, F.Loc), H);
    unsigned N = Occurrences[H]++;
    char Buf[32];
    std::snprintf(Buf, sizeof(Buf), "%016llx:%u",
                  static_cast<unsigned long long>(H), N);
    F.Fingerprint = Buf;
  }
}

std::set<std::string> readBaseline(const std::string &Path) {
  std::ifstream In(Path);
  if (!In)
    throw InputError("cannot read baseline '" + Path + "'");
  std::set<std::string> Prints;
  try {
    nlohmann::json J = nlohmann::json::parse(In);
    if (!J.is_object() || !J.contains("findings") || !J["findings"].is_array())
      throw InputError("malformed baseline '" + Path +
                       "': expected an object with a \"findings\" array");
    for (const nlohmann::json &F : J["findings"]) {
      if (!F.is_object() || !F.contains("fingerprint") ||
          !F["fingerprint"].is_string())
        throw InputError("malformed baseline '" + Path +
                         "': a finding has no \"fingerprint\" string");
      Prints.insert(F["fingerprint"].get<std::string>());
    }
  } catch (const nlohmann::json::exception &) {
    throw InputError("malformed baseline '" + Path + "': not valid JSON");
  }
  return Prints;
}

void writeBaseline(const std::string &Path, const Report &R) {
  nlohmann::json Findings = nlohmann::json::array();
  for (const Finding &F : R.Findings)
    Findings.push_back({{"fingerprint", F.Fingerprint},
                        {"check", F.Check},
                        {"file", relativeTo(F.Loc.File, R.Root)},
                        {"message", F.Message}});
  nlohmann::json J = {
      {"version", 1}, {"tool", "fearless-check"}, {"findings", Findings}};
  writeFileAtomically(Path, "baseline", [&](std::ostream &Out) {
    Out << J.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  });
}

} // namespace fearless::driver
