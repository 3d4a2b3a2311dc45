// Included by server.cpp only. A call in an inline function of a header,
// made under a lock, to Server::join_workers (workers.cpp, which does not
// include this header): only the join sees it, and reports it in this
// header only when --header-filter selects it, as clang-tidy does for the
// units' own findings.
#pragma once
#include "wp.h"

namespace wp {
extern std::mutex HeaderMu;
inline void header_stop(Server &s) {
  std::lock_guard<std::mutex> g(HeaderMu);
  s.join_workers();
}
} // namespace wp
