// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/thread_safety.h - Clang thread-safety attributes, fearless spelling.
//
// These macros document and check which mutex protects which data. Clang
// checks them with -Wthread-safety, and the fearless analyzer checks them with
// Clang's own engine (fearless-guarded-by), also for code built with GCC and
// for plain std::mutex. On compilers without the attributes they expand to
// nothing.
//
// The spellings follow Clang's current "capability" vocabulary
// (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html).
#ifndef FEARLESS_THREAD_SAFETY_H_
#define FEARLESS_THREAD_SAFETY_H_

#include "fearless/names.h"

#if defined(__clang__) && !defined(SWIG)
#define FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(x) __attribute__((x))
#else
#define FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(x) // no-op
#endif

// FEARLESS_CAPABILITY
//
// Marks a class as a capability (a lock): its objects can be named in
// FEARLESS_GUARDED_BY and the other attributes. The argument names the kind
// of capability in messages ("mutex", "role", ...).
//
// Example:
//
//   class FEARLESS_CAPABILITY("mutex") SpinLock {
//    public:
//     void lock() FEARLESS_ACQUIRE();
//     void unlock() FEARLESS_RELEASE();
//   };
#define FEARLESS_CAPABILITY(x) FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(capability(x))

// FEARLESS_SCOPED_CAPABILITY
//
// Marks an RAII class whose constructor acquires and whose destructor releases
// a capability (a lock guard). The constructor carries FEARLESS_ACQUIRE(mu),
// the destructor FEARLESS_RELEASE().
//
// Example:
//
//   class FEARLESS_SCOPED_CAPABILITY Lock {
//    public:
//     explicit Lock(SpinLock &mu) FEARLESS_ACQUIRE(mu);
//     ~Lock() FEARLESS_RELEASE();
//   };
#define FEARLESS_SCOPED_CAPABILITY FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(scoped_lockable)

// FEARLESS_REENTRANT_CAPABILITY
//
// Marks a capability class that its holder may acquire again while holding
// it (a recursive mutex): acquiring it twice is not a double lock, and it is
// released after as many releases as acquisitions. Write it after
// FEARLESS_CAPABILITY. Clang checks it from Clang 21 on (reentrant_capability);
// fearless-guarded-by honours it with LLVM 19 and 22 (through the annotation
// below, which LLVM 19 keeps). Older Clangs and GCC ignore it.
//
// Example:
//
//   class FEARLESS_CAPABILITY("mutex") FEARLESS_REENTRANT_CAPABILITY RecMutex {
//    public:
//     void lock() FEARLESS_ACQUIRE();
//     void unlock() FEARLESS_RELEASE();
//   };
#if defined(__clang__) && !defined(SWIG) && defined(__has_attribute)
#if __has_attribute(reentrant_capability)
#define FEARLESS_REENTRANT_CAPABILITY                                          \
  __attribute__((reentrant_capability))                                        \
  __attribute__((annotate(FEARLESS_ANNOTATE_REENTRANT)))
#else
#define FEARLESS_REENTRANT_CAPABILITY                                          \
  __attribute__((annotate(FEARLESS_ANNOTATE_REENTRANT)))
#endif
#else
#define FEARLESS_REENTRANT_CAPABILITY // no-op
#endif

// FEARLESS_GUARDED_BY
//
// Declares that a data member or global is protected by the given capability:
// every read needs it held (shared or exclusive), every write needs it held
// exclusively.
//
// Example:
//
//   std::mutex mu_;
//   int hits_ FEARLESS_GUARDED_BY(mu_);
#define FEARLESS_GUARDED_BY(x) FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(guarded_by(x))

// FEARLESS_PT_GUARDED_BY
//
// Declares that the data a pointer member points to is protected by the given
// capability. The pointer itself is not (combine with FEARLESS_GUARDED_BY if
// it is).
//
// Example:
//
//   std::mutex mu_;
//   std::unique_ptr<Cache> cache_ FEARLESS_PT_GUARDED_BY(mu_);
#define FEARLESS_PT_GUARDED_BY(x) FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(pt_guarded_by(x))

// FEARLESS_ACQUIRED_BEFORE / FEARLESS_ACQUIRED_AFTER
//
// Declares the order in which two capabilities must be acquired, so that lock
// order inversions (potential deadlocks) are found. fearless-lock-order checks
// the declared order against what the code does.
//
// Example:
//
//   std::mutex a_;
//   std::mutex b_ FEARLESS_ACQUIRED_AFTER(a_);
#define FEARLESS_ACQUIRED_BEFORE(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(acquired_before(__VA_ARGS__))
#define FEARLESS_ACQUIRED_AFTER(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(acquired_after(__VA_ARGS__))

// FEARLESS_REQUIRES / FEARLESS_REQUIRES_SHARED
//
// Declares that a function may only be called with the given capabilities
// held: exclusively (REQUIRES) or at least shared (REQUIRES_SHARED).
//
// Example:
//
//   void bump() FEARLESS_REQUIRES(mu_);
//   int peek() const FEARLESS_REQUIRES_SHARED(mu_);
#define FEARLESS_REQUIRES(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(requires_capability(__VA_ARGS__))
#define FEARLESS_REQUIRES_SHARED(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(requires_shared_capability(__VA_ARGS__))

// FEARLESS_ACQUIRE / FEARLESS_ACQUIRE_SHARED
//
// Declares that a function acquires the given capabilities (or, with no
// argument on a member of a capability class, `this`) and returns with them
// held.
//
// Example:
//
//   void lock() FEARLESS_ACQUIRE();
//   void lock_shared() FEARLESS_ACQUIRE_SHARED();
#define FEARLESS_ACQUIRE(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(acquire_capability(__VA_ARGS__))
#define FEARLESS_ACQUIRE_SHARED(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(acquire_shared_capability(__VA_ARGS__))

// FEARLESS_RELEASE / FEARLESS_RELEASE_SHARED / FEARLESS_RELEASE_GENERIC
//
// Declares that a function releases the given capabilities: held exclusively
// (RELEASE), held shared (RELEASE_SHARED), or held either way
// (RELEASE_GENERIC).
//
// Example:
//
//   void unlock() FEARLESS_RELEASE();
//   void unlock_shared() FEARLESS_RELEASE_SHARED();
#define FEARLESS_RELEASE(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(release_capability(__VA_ARGS__))
#define FEARLESS_RELEASE_SHARED(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(release_shared_capability(__VA_ARGS__))
#define FEARLESS_RELEASE_GENERIC(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(release_generic_capability(__VA_ARGS__))

// FEARLESS_TRY_ACQUIRE / FEARLESS_TRY_ACQUIRE_SHARED
//
// Declares that a function tries to acquire the given capabilities; the first
// argument is the return value that means success.
//
// Example:
//
//   bool try_lock() FEARLESS_TRY_ACQUIRE(true);
#define FEARLESS_TRY_ACQUIRE(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(try_acquire_capability(__VA_ARGS__))
#define FEARLESS_TRY_ACQUIRE_SHARED(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(try_acquire_shared_capability(__VA_ARGS__))

// FEARLESS_EXCLUDES
//
// Declares that a function must not be called with the given capabilities
// held (it acquires them itself; calling it with them held would deadlock).
//
// Example:
//
//   void refresh() FEARLESS_EXCLUDES(mu_);
#define FEARLESS_EXCLUDES(...) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(locks_excluded(__VA_ARGS__))

// FEARLESS_ASSERT_CAPABILITY / FEARLESS_ASSERT_SHARED_CAPABILITY
//
// Declares that a function checks at run time that the capability is held
// (and does not return otherwise); after the call the analysis assumes it is.
//
// Example:
//
//   void assert_held() const FEARLESS_ASSERT_CAPABILITY(this);
#define FEARLESS_ASSERT_CAPABILITY(x) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(assert_capability(x))
#define FEARLESS_ASSERT_SHARED_CAPABILITY(x) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(assert_shared_capability(x))

// FEARLESS_RETURN_CAPABILITY
//
// Declares that a function returns a reference to the given capability, so
// that callers may name the capability through the function.
//
// Example:
//
//   std::mutex &mu() FEARLESS_RETURN_CAPABILITY(mu_);
#define FEARLESS_RETURN_CAPABILITY(x) \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(lock_returned(x))

// FEARLESS_SCOPED_PARAM
//
// Wraps FEARLESS_ACQUIRE / _RELEASE / _REQUIRES / _EXCLUDES (and their
// _SHARED forms) written on a function parameter that is a reference to a
// FEARLESS_SCOPED_CAPABILITY object: the function acquires, releases or
// needs that capability through the caller's guard. Clang accepts such
// parameter attributes from Clang 21 on and checks each call against the
// guard the caller passes ("mutex managed by 'lk' is 'b' instead of 'a'");
// fearless-guarded-by does so with LLVM 22. Older Clangs and GCC would warn
// that the attribute applies only to functions: there the wrapper expands to
// nothing. Not for the standard lockers (std::unique_lock&): Clang decides
// before fearless treats them as scoped capabilities.
//
// Example:
//
//   void flush_and_unlock(Lock &lk FEARLESS_SCOPED_PARAM(FEARLESS_RELEASE(mu_)));
#if defined(__clang__) && !defined(__apple_build_version__) && \
    __clang_major__ >= 21
#define FEARLESS_SCOPED_PARAM(...) __VA_ARGS__
#else
#define FEARLESS_SCOPED_PARAM(...) // no-op
#endif

// FEARLESS_NO_THREAD_SAFETY_ANALYSIS
//
// Turns the thread-safety analysis off for one function. An escape hatch:
// write next to it why the function is safe anyway.
//
// Example:
//
//   // Safe: called only from the constructor, before the object is shared.
//   void init() FEARLESS_NO_THREAD_SAFETY_ANALYSIS;
#define FEARLESS_NO_THREAD_SAFETY_ANALYSIS \
  FEARLESS_THREAD_ANNOTATION_ATTRIBUTE_(no_thread_safety_analysis)

// FEARLESS_NO_THREAD_SAFETY_ANALYSIS_FIXME
//
// Same as FEARLESS_NO_THREAD_SAFETY_ANALYSIS, but says "this is a known
// finding that nobody has fixed yet" rather than "this is safe". Greppable, so
// that the debt can be counted.
//
// Example:
//
//   void legacy_flush() FEARLESS_NO_THREAD_SAFETY_ANALYSIS_FIXME;
#define FEARLESS_NO_THREAD_SAFETY_ANALYSIS_FIXME FEARLESS_NO_THREAD_SAFETY_ANALYSIS

#endif // FEARLESS_THREAD_SAFETY_H_
