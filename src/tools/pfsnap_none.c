/* pfsnap_none.c - no snapshot of the built-in prefilters: the library
 * refers to one, and pfsnap.c, which writes the real one, links this. */
#include "internal.h"

const mc_pf_blob mc_builtin_prefilter[MC_LANG_PL + 1];
