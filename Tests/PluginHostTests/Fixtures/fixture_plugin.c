/* A minimal lane for loader tests. Knobs: -DNO_ENTRY (exports the wrong symbol),
   -DABI_MAJOR_OVERRIDE=2, -DKIND_OVERRIDE=ARB_KIND_VENUE, -DVERSION='"2.0.0"', -DBUILD_ID='"swift-5.9 x86_64"', -DCRASH_IN_CREATE. */
#include <stdlib.h>
#include <string.h>
#include "arb_plugin.h"

#ifndef ABI_MAJOR_OVERRIDE
#define ABI_MAJOR_OVERRIDE ARB_ABI_MAJOR
#endif
#ifndef ABI_MINOR_OVERRIDE
#define ABI_MINOR_OVERRIDE ARB_ABI_MINOR
#endif
#ifndef KIND_OVERRIDE
#define KIND_OVERRIDE ARB_KIND_LANE
#endif
#ifndef BUILD_ID
#define BUILD_ID "cc"
#endif
#ifndef VERSION
#define VERSION "1.0.0"
#endif

static int instance_token;
static arb_status create(const arb_plugin_descriptor *self, const arb_host *host, const arb_config *config,
                         void **out, const arb_text_sink *error) {
    (void)self; (void)host; (void)config; (void)error;
#ifdef CRASH_IN_CREATE
    abort(); /* a plugin with a fatal bug: verify must survive it */
#endif
    *out = &instance_token;
    return ARB_OK;
}
static void destroy(void *instance) { (void)instance; }
static uint32_t kinds(void *instance) { (void)instance; return 1u << ARB_GROUP_SINGLE; }
static arb_status evaluate(void *instance, const arb_group *group, const arb_opportunity_sink *sink,
                           const arb_text_sink *error) {
    (void)instance; (void)group; (void)sink; (void)error;
    return ARB_OK;
}
static const arb_lane_v1 vtable = {sizeof(arb_lane_v1), 0, kinds, evaluate};
static const arb_plugin_descriptor descriptor = {
    sizeof(arb_plugin_descriptor), ABI_MAJOR_OVERRIDE, ABI_MINOR_OVERRIDE, KIND_OVERRIDE, 0,
    "lane.fixture", "Fixture lane", VERSION, "tests", BUILD_ID, create, destroy, NULL, &vtable, NULL};

#ifdef NO_ENTRY
ARB_EXPORT const arb_plugin_descriptor *arb_plugin_entry(void) { return &descriptor; }
#else
ARB_EXPORT const arb_plugin_descriptor *arb_plugin_entry_v1(void) { return &descriptor; }
#endif
