// The search is `static inline` in the header, compiled into its Swift callers; this file only
// gives the target a source, as SwiftPM requires of a C target (a header-only system library
// module's header changes went unnoticed by incremental builds).
#include "price_search.h"
