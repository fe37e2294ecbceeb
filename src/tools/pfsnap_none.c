/* pfsnap_none.c - no snapshot of the built-in prefilters: what pfsnap.c
 * links with, so that mc_rules_prepare builds them for it to write. */
#include "internal.h"

const mc_pf_blob mc_builtin_prefilter[MC_LANG_PL + 1];
