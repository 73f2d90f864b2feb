/*
 * arb_plugin.h — the arb plugin ABI, version 1.
 *
 * One header for the three plugin kinds the arb host loads with dlopen:
 *   - venue adapters      (ARB_KIND_VENUE)   sans-IO: build requests, parse responses
 *   - detection lanes     (ARB_KIND_LANE)    find baskets in groups of markets
 *   - sizing steps        (ARB_KIND_SIZING)  keep, downsize or reject a basket size
 * and the host-services table the host hands to every plugin instance.
 *
 * A third party writes a plugin from this header alone, in C or in Swift, builds
 * it outside the arb repository, drops a manifest into plugins.d/ and the host
 * loads it. Nothing else is needed.
 *
 * ---------------------------------------------------------------------------
 * Rules that keep this ABI stable (read before changing anything here)
 * ---------------------------------------------------------------------------
 * 1. One exported symbol: ARB_PLUGIN_ENTRY_SYMBOL, a FUNCTION returning a
 *    pointer to a static, immutable descriptor. The host looks up nothing else.
 * 2. Every struct that crosses the boundary starts with `uint32_t struct_size`
 *    and only ever grows at the END. A reader uses a field only if
 *    struct_size covers it (see ARB_HAS_FIELD); a missing tail field means
 *    "absent" and has a documented default.
 * 3. Function tables are append-only. Never reorder, remove or change the
 *    signature of a slot: add `foo_v2` at the end instead. Optional slots may
 *    be NULL where the comment says so.
 * 4. Only C types cross: fixed-width integers, `const char *` + length,
 *    opaque handles, function pointers. No Swift or C++ objects.
 * 5. Ownership: memory passed INTO a call belongs to the caller and is valid
 *    only until the call returns, unless the comment beside it says otherwise.
 *    Results come back through caller-provided sinks, which copy what they
 *    are given. No side ever frees memory the other side allocated.
 * 6. Errors are arb_status codes plus a message written to an arb_text_sink.
 *    A plugin never aborts the process on bad input and never unwinds across
 *    the boundary (a Swift trap or a C++ exception here kills the host).
 * 7. Each function states its thread next to it, using the names below.
 * 8. Optional capabilities are queried by versioned string id through
 *    get_extension on both sides ("arb.state/1"); NULL means unsupported.
 * 9. Venue plugins do no I/O. They build HTTP requests and WebSocket frames,
 *    the host performs them (rate governor, circuit breakers, metrics and the
 *    replay tape live once, in the host) and hands the responses back.
 * 10. Secrets stay in the host: a plugin asks arb_host.sign to sign bytes with
 *    a NAMED key and never sees key material.
 *
 * Versioning: ARB_ABI_MAJOR changes only for a break (the host refuses a
 * plugin with another major). ARB_ABI_MINOR grows when slots or fields are
 * appended; the host accepts plugins built against its own or an older minor,
 * and refuses a plugin built against a newer minor (it may call host slots
 * this host does not have).
 *
 * ---------------------------------------------------------------------------
 * Units (never floating point across this ABI)
 * ---------------------------------------------------------------------------
 *   money, prices, fees  int64 micro-dollars     1 USD  = 1 000 000  (ARB_MICROS)
 *   quantities           int64 centi-contracts   1 contract = 100    (ARB_CENTI)
 *   ratios, rates        int64 parts-per-million 1.0    = 1 000 000  (ARB_PPM)
 *   time                 int64 nanoseconds since the Unix epoch (UTC); durations in ns
 *   text                 UTF-8, `const char *` with an explicit length where a
 *                        length is given (not necessarily NUL-terminated), else
 *                        NUL-terminated.
 * A binary contract pays ARB_MICROS (1 USD) per contract on its winning side,
 * so a price p satisfies 0 <= p <= ARB_MICROS.
 *
 * ---------------------------------------------------------------------------
 * Thread names used in the contracts
 * ---------------------------------------------------------------------------
 *   [control-thread]  the host's control thread: it loads plugins, calls
 *                     create/destroy and applies manifest changes. Never
 *                     concurrent with itself.
 *   [engine-thread]   the thread that runs one engine cycle. The host never
 *                     makes two [engine-thread] calls on the same instance at
 *                     once, but successive calls may come from different OS
 *                     threads. Do not block, sleep or do I/O here.
 *   [any-thread]      may be called from any thread, concurrently: the
 *                     implementation must be thread-safe.
 */
#ifndef ARB_PLUGIN_H
#define ARB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ========================================================================= */
/* Version, entry symbol, export macro                                       */
/* ========================================================================= */

#define ARB_ABI_MAJOR 1
#define ARB_ABI_MINOR 4

/* The one symbol the host looks up. Its type is arb_plugin_entry_fn. */
#define ARB_PLUGIN_ENTRY_SYMBOL "arb_plugin_entry_v1"

#if defined(_WIN32)
#define ARB_EXPORT __declspec(dllexport)
#else
#define ARB_EXPORT __attribute__((visibility("default")))
#endif

/* Fixed-point scales. These never change. */
#define ARB_MICROS ((int64_t)1000000) /* micro-dollars per dollar */
#define ARB_CENTI ((int64_t)100)      /* centi-contracts per contract */
#define ARB_PPM ((int64_t)1000000)    /* parts per million in 1.0 */

/* True when a struct received from the other side is long enough to hold `field`. */
#define ARB_HAS_FIELD(ptr, type, field) \
    ((ptr) != NULL && (size_t)(ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* ========================================================================= */
/* Status codes                                                              */
/* ========================================================================= */

/* Stable discriminants; new codes are appended. Unknown codes are treated as ARB_ERR_INTERNAL. */
typedef int32_t arb_status;
enum {
    ARB_OK = 0,
    ARB_ERR_INVALID_ARGUMENT = 1, /* a pointer was NULL, a length or enum out of range */
    ARB_ERR_CONFIG = 2,           /* create(): the [config] table is rejected; say why */
    ARB_ERR_UNSUPPORTED = 3,      /* the operation or algorithm is not offered */
    ARB_ERR_PARSE = 4,            /* a venue payload could not be parsed */
    ARB_ERR_NOT_FOUND = 5,        /* unknown key, market, order or signer key name */
    ARB_ERR_BUFFER = 6,           /* a sink refused more data */
    ARB_ERR_STATE = 7,            /* called in the wrong lifecycle state */
    ARB_ERR_INTERNAL = 8,         /* anything else; the message says what */
    ARB_ERR_VENUE = 9,            /* the venue answered with an error (status or body) */
    ARB_ERR_RATE_LIMITED = 10,    /* the venue answered 429 or equivalent */
    ARB_ERR_AUTH = 11             /* signature, key or permission problem */
};

/* ========================================================================= */
/* Sinks: how results cross the boundary without ownership transfer          */
/* ========================================================================= */

/*
 * A text sink receives UTF-8 text (error messages, reasons, JSON).
 * The receiver copies the bytes before `write` returns; `text` is borrowed.
 * `write` may be called several times; the pieces are concatenated.
 * A NULL sink pointer means "the caller does not want the text".
 * [same thread as the call that was given the sink]
 */
typedef struct arb_text_sink {
    void *ctx;
    void (*write)(void *ctx, const char *text, size_t len);
} arb_text_sink;

/* A byte sink, same contract as arb_text_sink for binary data (signatures, state blobs). */
typedef struct arb_bytes_sink {
    void *ctx;
    void (*write)(void *ctx, const uint8_t *bytes, size_t len);
} arb_bytes_sink;

/* A borrowed string with length. `data` may be NULL only when `len` is 0. */
typedef struct arb_str {
    const char *data;
    size_t len;
} arb_str;

/* ========================================================================= */
/* Plugin kinds and descriptor                                               */
/* ========================================================================= */

typedef uint32_t arb_plugin_kind;
enum {
    ARB_KIND_VENUE = 1,
    ARB_KIND_LANE = 2,
    ARB_KIND_SIZING = 3
};

struct arb_host;
struct arb_config;
struct arb_plugin_descriptor;

/*
 * What the entry function returns. Static and immutable: owned by the library,
 * valid for the life of the process (the host never unloads a library).
 */
typedef struct arb_plugin_descriptor {
    uint32_t struct_size;     /* sizeof(arb_plugin_descriptor) as the plugin was built */
    uint16_t abi_major;       /* ARB_ABI_MAJOR the plugin was built against */
    uint16_t abi_minor;       /* ARB_ABI_MINOR the plugin was built against */
    arb_plugin_kind kind;     /* ARB_KIND_*; must match the manifest's `kind` */
    uint32_t reserved0;       /* 0 */
    const char *id;           /* default id, reverse-DNS-ish: "lane.intra_venue". Not NULL. */
    const char *name;         /* human name: "Intra-venue YES+NO lane". Not NULL. */
    const char *version;      /* the plugin's own semver: "1.2.0". Not NULL. */
    const char *vendor;       /* may be "" */
    const char *build_id;     /* toolchain identity: "swift-6.3.1 x86_64-unknown-linux-gnu", "cc" */

    /*
     * Creates one instance. `self` is this descriptor (so an implementation can
     * reach `plugin_data`). A library may be asked for several instances (an A/B
     * test of the same library with two configs): keep all state in the instance,
     * never in globals.
     *   host       the services table for THIS instance; valid until destroy()
     *              returns. The plugin may keep the pointer.
     *   config     the manifest's [config] table; valid only during create().
     *              Copy what you need. Reject unknown keys: ARB_ERR_CONFIG.
     *   out_instance  receives the opaque instance pointer on ARB_OK.
     *   error      where to write a one-line reason on failure (may be NULL).
     * Returns ARB_OK, ARB_ERR_CONFIG (the config is wrong: say which key and
     * why) or another code. Must be quick: no network, no long computations.
     * [control-thread]
     */
    arb_status (*create)(const struct arb_plugin_descriptor *self, const struct arb_host *host,
                         const struct arb_config *config, void **out_instance, const arb_text_sink *error);

    /*
     * Destroys an instance made by create(). Called once, after the last call on
     * the instance has returned (the host drains a retired pipeline first).
     * [control-thread or engine-thread, never concurrently with a call on the same instance]
     */
    void (*destroy)(void *instance);

    /*
     * Optional capabilities by versioned id ("arb.lane.stats/1"). Returns a
     * pointer to a static table owned by the plugin, valid until destroy(), or
     * NULL when unsupported. May be NULL itself (= no extensions).
     * [any-thread]
     */
    const void *(*get_extension)(void *instance, const char *id);

    /*
     * The kind-specific function table: const arb_venue_v1 *, const arb_lane_v1 *
     * or const arb_sizing_step_v1 * according to `kind`. Static, not NULL.
     */
    const void *vtable;

    /* The plugin's own pointer (an SDK's factory, say); the host never reads it. May be NULL. */
    const void *plugin_data;
} arb_plugin_descriptor;

/* The entry function. [control-thread] Must be cheap and side-effect free; may be called more than once. */
typedef const arb_plugin_descriptor *(*arb_plugin_entry_fn)(void);

/* ========================================================================= */
/* Configuration handed to create()                                          */
/* ========================================================================= */

/*
 * The manifest's [config] table, read through typed getters. Keys of nested
 * tables are joined with '.', e.g. "tiers.caution_drawdown". All pointers are
 * valid only during create(). Every getter returns ARB_OK, ARB_ERR_NOT_FOUND
 * (no such key) or ARB_ERR_INVALID_ARGUMENT (wrong type; the sink says which).
 */
typedef struct arb_config {
    uint32_t struct_size;
    void *ctx; /* host-owned; pass back as the first argument */

    /* Number of leaf keys, and the i-th key (dotted) written to `out`. */
    uint32_t (*key_count)(const struct arb_config *cfg);
    arb_status (*key_at)(const struct arb_config *cfg, uint32_t index, const arb_text_sink *out);

    arb_status (*get_bool)(const struct arb_config *cfg, const char *key, int32_t *out);
    arb_status (*get_int)(const struct arb_config *cfg, const char *key, int64_t *out);
    arb_status (*get_string)(const struct arb_config *cfg, const char *key, const arb_text_sink *out);

    /*
     * A decimal number as fixed point with `scale` units per 1.0, parsed exactly
     * (no binary floating point): "0.25" with scale ARB_PPM gives 250000.
     * Accepts TOML integers, strings holding a decimal, and TOML floats (read
     * through their shortest round-trip decimal text). Fails with
     * ARB_ERR_INVALID_ARGUMENT when the value has more digits than `scale` holds.
     */
    arb_status (*get_fixed)(const struct arb_config *cfg, const char *key, int64_t scale, int64_t *out);

    /* The whole table as JSON text (for plugins that prefer a JSON decoder). */
    arb_status (*to_json)(const struct arb_config *cfg, const arb_text_sink *out);
} arb_config;

/* ========================================================================= */
/* Host services                                                             */
/* ========================================================================= */

typedef int32_t arb_log_level;
enum { ARB_LOG_TRACE = 0, ARB_LOG_DEBUG = 1, ARB_LOG_INFO = 2, ARB_LOG_WARNING = 3, ARB_LOG_ERROR = 4 };

typedef uint32_t arb_sign_algorithm;
enum {
    /* RSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt (Kalshi). Output: raw signature bytes. */
    ARB_SIGN_RSA_PSS_SHA256 = 1,
    /* HMAC-SHA256 with a secret key (Polymarket L2). Output: 32 raw bytes. */
    ARB_SIGN_HMAC_SHA256 = 2,
    /* secp256k1 ECDSA over a 32-byte digest the plugin computed (EIP-712).
       Output: 65 bytes r(32) || s(32) || v(1) with v in {27, 28}. */
    ARB_SIGN_SECP256K1_RECOVERABLE = 3
};

typedef uint32_t arb_liquidity;
enum { ARB_TAKER = 0, ARB_MAKER = 1 };

typedef uint32_t arb_side;
enum { ARB_SIDE_YES = 0, ARB_SIDE_NO = 1 };

typedef uint32_t arb_action;
enum { ARB_ACTION_BUY = 0, ARB_ACTION_SELL = 1 };

/* A fee question: what does the venue charge for this fill? */
typedef struct arb_fee_query {
    uint32_t struct_size;
    arb_liquidity liquidity;      /* ARB_TAKER or ARB_MAKER */
    arb_str venue;                /* venue id as in arb_market.venue, e.g. "kalshi" */
    arb_str market_id;            /* the venue's market id */
    arb_side side;                /* which contract */
    arb_action action;            /* buy or sell */
    int64_t price_micros;         /* price per contract, 0..ARB_MICROS */
    int64_t quantity_centi;       /* contracts x 100 in this one order */
    int64_t fee_multiplier_ppm;   /* the market's fee multiplier (ARB_PPM = 1.0), from arb_market */
    uint32_t fee_schedule;        /* the market's ARB_FEE_* schedule, from arb_market */
    uint32_t reserved0;
} arb_fee_query;

typedef struct arb_fee_result {
    uint32_t struct_size;
    uint32_t reserved0;
    int64_t fee_micros;           /* total fee in micro-dollars, rounded as the venue rounds */
    /* Contracts actually delivered, for venues that take fees in shares (Polymarket
       buys). Equal to the query quantity when the fee is charged in cash. */
    int64_t delivered_centi;
} arb_fee_result;

/*
 * The services a plugin instance may call. One table per instance: `ctx`
 * identifies the instance to the host (state namespace, log tag).
 * Valid from create() until destroy() returns. A plugin must not call it after
 * destroy(), and must not call `fee` from inside create().
 */
typedef struct arb_host {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    void *ctx;                    /* host-owned; opaque to the plugin */
    const char *host_name;        /* "arb" */
    const char *host_version;     /* "0.1.0" */
    const char *instance_id;      /* the manifest id this instance was created for */

    /* Writes one log line tagged with the instance id. [any-thread] */
    void (*log)(const struct arb_host *host, arb_log_level level, const char *message, size_t len);

    /*
     * The host's clock in ns since the epoch. In replay it is the tape's clock,
     * so plugins that read time only from here replay deterministically.
     * [any-thread]
     */
    int64_t (*now_ns)(const struct arb_host *host);

    /*
     * Signs `message` with the host-held key named `key_name` (from the host
     * settings; the plugin's manifest config names it). The signature goes to
     * `out`; on failure a reason goes to `error`. The plugin never sees the key.
     * Returns ARB_ERR_NOT_FOUND for an unknown key name, ARB_ERR_UNSUPPORTED for
     * an algorithm the key cannot do, ARB_ERR_AUTH when the instance is not
     * allowed to use that key (keys are granted per manifest).
     * [any-thread]
     */
    arb_status (*sign)(const struct arb_host *host, const char *key_name, arb_sign_algorithm algorithm,
                       const uint8_t *message, size_t len, const arb_bytes_sink *out, const arb_text_sink *error);

    /*
     * Asks the venue plugin that owns `query->venue` for its fee. Lanes and
     * sizing steps use this and never hard-code a venue's fee.
     * Returns ARB_ERR_NOT_FOUND when no enabled venue plugin has that id.
     * [engine-thread]
     */
    arb_status (*fee)(const struct arb_host *host, const arb_fee_query *query, arb_fee_result *out);

    /*
     * Small persistent key/value state for this instance's manifest id
     * (e.g. Thompson-sampling posteriors), kept by the host's store so it
     * survives restarts and hot swaps. `state_get` writes the value to `out`
     * or returns ARB_ERR_NOT_FOUND. Values up to 1 MiB. [any-thread]
     */
    arb_status (*state_get)(const struct arb_host *host, const char *key, const arb_bytes_sink *out);
    arb_status (*state_put)(const struct arb_host *host, const char *key, const uint8_t *value, size_t len);

    /* Optional host capabilities by versioned id; NULL when unsupported. [any-thread] */
    const void *(*get_extension)(const struct arb_host *host, const char *id);
} arb_host;

/* ========================================================================= */
/* Market data model shared by all kinds                                     */
/* ========================================================================= */

typedef uint32_t arb_fee_schedule;
enum {
    ARB_FEE_NONE = 0,
    ARB_FEE_QUADRATIC = 1,            /* taker only: k*C*P*(1-P) (Kalshi "quadratic") */
    ARB_FEE_QUADRATIC_WITH_MAKER = 2, /* taker and maker (Kalshi "quadratic_with_maker_fees") */
    ARB_FEE_QUADRATIC_COMBO_MAKER = 3,/* Kalshi "quadratic_with_combo_maker_fees" */
    ARB_FEE_FLAT = 4,                 /* a flat per-contract fee */
    ARB_FEE_SHARES = 5                /* fee taken in shares on buys (Polymarket) */
};

/* Flags of arb_market.flags. */
enum {
    ARB_MARKET_ACTIVE = 1u << 0,          /* open for trading */
    ARB_MARKET_BUY_ONLY = 1u << 1,        /* positions close by buying the other side (ForecastEx) */
    ARB_MARKET_FRACTIONAL = 1u << 2,      /* fractional contracts allowed */
    ARB_MARKET_MULTIVARIATE = 1u << 3     /* a combo market: lanes must skip it */
};

/* A market as a venue plugin reports it and as lanes see it. All strings borrowed. */
typedef struct arb_market {
    uint32_t struct_size;
    uint32_t flags;                 /* ARB_MARKET_* */
    arb_str venue;                  /* "kalshi", "polymarket", "forecastex", or a third party's id */
    arb_str market_id;              /* venue's id (Kalshi ticker, Polymarket condition id, IBKR conid) */
    arb_str event_id;               /* grouping id on the venue, may be empty */
    arb_str title;
    int64_t close_time_ns;          /* trading stops; 0 = unknown */
    int64_t resolution_time_ns;     /* expected payout time; 0 = unknown */
    int64_t tick_micros;            /* price increment (the finest one when the grid is tapered) */
    int64_t min_order_centi;        /* minimum order size */
    arb_fee_schedule fee_schedule;
    uint32_t reserved0;
    int64_t fee_multiplier_ppm;     /* ARB_PPM = 1.0 */
    arb_str yes_token;              /* venue-specific instrument id of the YES side (may be empty) */
    arb_str no_token;               /* ... of the NO side */
    /* ---- ABI 1.3 ---- Read only when ARB_HAS_FIELD(market, arb_market, pair_price_micros). */
    int64_t pair_price_micros;      /* what a YES bid and a NO bid must sum to for them to trade: the
                                       host derives a bids-only side's ask as pair_price − the other
                                       side's best bid. 0 = ARB_MICROS ($1, Kalshi); ForecastEx
                                       1 010 000 (its $0.01 per matched pair). */
} arb_market;

/* One price level. */
typedef struct arb_level {
    int64_t price_micros;
    int64_t size_centi;
} arb_level;

/*
 * A normalized binary quote: best bid/ask for YES and NO with sizes and the ask
 * ladders where the venue gives depth. A missing side has price -1 and size 0
 * ("no quote": never price 0 or 1). Ladders are best-first.
 */
typedef struct arb_quote {
    uint32_t struct_size;
    uint32_t reserved0;
    int64_t yes_bid_micros, yes_bid_centi;
    int64_t yes_ask_micros, yes_ask_centi;
    int64_t no_bid_micros, no_bid_centi;
    int64_t no_ask_micros, no_ask_centi;
    int64_t venue_time_ns;          /* the venue's timestamp of this state; 0 = unknown */
    int64_t receive_time_ns;        /* when the host received it */
    uint64_t sequence;              /* host-assigned, increases per market */
    const arb_level *yes_asks;      /* best (lowest) first; may be NULL when count is 0 */
    uint32_t yes_ask_count;
    uint32_t no_ask_count;
    const arb_level *no_asks;
} arb_quote;

/* ========================================================================= */
/* Lanes                                                                     */
/* ========================================================================= */

typedef uint32_t arb_group_kind;
enum {
    ARB_GROUP_SINGLE = 1,    /* one market (intra-venue) */
    ARB_GROUP_PAIR = 2,      /* the same event on two venues (cross-venue) */
    ARB_GROUP_BUCKET = 3,    /* mutually exclusive outcomes */
    ARB_GROUP_PARITY = 4,    /* equivalent or complementary markets */
    ARB_GROUP_TREE = 5       /* implication: parent/child, ladders, nested deadlines */
};

/* Flags of arb_group.flags. */
enum {
    ARB_GROUP_EXHAUSTIVE = 1u << 0,   /* exactly one member resolves YES (proven by the rule) */
    ARB_GROUP_REVIEWED = 1u << 1,     /* a human approved the mapping or rule */
    ARB_GROUP_SAME_TERMS = 1u << 2,   /* resolution terms checked equal (cross-venue) */
    ARB_GROUP_LADDER = 1u << 3        /* ABI 1.2. Tree groups: members imply one another in `role`
                                         order (rank 0 implies rank 1, ...): threshold ladders,
                                         nested deadlines. Without it a tree is parent (role 0)
                                         = the disjoint union of its children (role 1). */
};

/* Flags of arb_group_member.flags. */
enum {
    ARB_MEMBER_INVERTED = 1u << 0     /* polarity: this member's YES is the group's NO */
};

typedef struct arb_group_member {
    uint32_t struct_size;
    uint32_t flags;                 /* ARB_MEMBER_* */
    const arb_market *market;       /* not NULL */
    const arb_quote *quote;         /* NULL when the market has no quote yet */
    int32_t role;                   /* tree: 0 = parent/implied-by, 1 = child; ladders: rank */
    uint32_t reserved0;
    int64_t strike_micros;          /* threshold ladders: the strike; else 0 */
} arb_group_member;

/* A group of related markets handed to a lane. Borrowed for the call. */
typedef struct arb_group {
    uint32_t struct_size;
    arb_group_kind kind;
    arb_str group_id;
    uint32_t flags;                 /* ARB_GROUP_* */
    uint32_t member_count;
    const arb_group_member *members;
    int64_t now_ns;                 /* the cycle's clock (tape time in replay) */
} arb_group;

/* Flags of arb_opportunity.flags. */
enum {
    ARB_OPP_DATA_QUALITY_ALARM = 1u << 0, /* reported as a feed-integrity alarm, not a trade */
    ARB_OPP_MAKER_ESTIMATE = 1u << 1      /* priced at maker estimates, not executable asks */
};

/* One leg of a basket: buy `ratio_centi` contracts of a member per basket. */
typedef struct arb_leg {
    uint32_t struct_size;
    uint32_t member_index;          /* index into arb_group.members */
    arb_side side;
    arb_action action;
    int64_t limit_price_micros;     /* worst price the basket's edge was computed at */
    int64_t ratio_centi;            /* contracts per basket x 100 (usually 100) */
    int64_t fee_micros;             /* fee per basket for this leg at the planned size */
    arb_liquidity liquidity;
    uint32_t reserved0;
} arb_leg;

/*
 * A basket a lane found. Borrowed for the duration of the sink call; the host
 * copies it. The host derives the opportunity id from the legs, so the same
 * legs always get the same id.
 */
typedef struct arb_opportunity {
    uint32_t struct_size;
    uint32_t flags;                 /* ARB_OPP_* */
    uint32_t leg_count;
    uint32_t reserved0;
    const arb_leg *legs;
    int64_t payout_micros;          /* guaranteed payout per basket (worst state) */
    int64_t cost_micros;            /* prices + fees per basket */
    int64_t edge_micros;            /* worst-case profit per basket after fees = payout - cost */
    int64_t max_baskets_centi;      /* executable size at that edge from the ladders */
    int64_t resolution_time_ns;     /* latest resolution among the legs; 0 = unknown */
    arb_str note;                   /* short human text, may be empty */
} arb_opportunity;

typedef struct arb_opportunity_sink {
    void *ctx;
    /* The host copies `opp`. Returns ARB_ERR_BUFFER when the cycle's budget is spent:
       stop emitting then. [engine-thread] */
    arb_status (*emit)(void *ctx, const arb_opportunity *opp);
} arb_opportunity_sink;

/* How a basket ended (ABI 1.2). */
typedef uint32_t arb_outcome_kind;
enum {
    ARB_OUTCOME_WIN = 1,     /* every leg filled and the basket's P&L is >= 0 */
    ARB_OUTCOME_LOSS = 2     /* incomplete, negative P&L, or rejected after confirmation */
};

/* An outcome the host recorded for a basket a lane reported (ABI 1.2). Borrowed for the call. */
typedef struct arb_lane_outcome {
    uint32_t struct_size;
    arb_outcome_kind kind;          /* ARB_OUTCOME_* */
    arb_str group_id;               /* the group the basket came from */
    arb_str opportunity_id;         /* the host's stable id of the basket */
    int64_t pnl_micros;             /* realised or marked P&L of the basket, fees included */
    int64_t time_ns;                /* when it was decided (tape time in replay) */
} arb_lane_outcome;

/* The lane function table (descriptor.vtable when kind == ARB_KIND_LANE). */
typedef struct arb_lane_v1 {
    uint32_t struct_size;
    uint32_t reserved0;

    /* Group kinds this lane evaluates, as a bit set of (1u << ARB_GROUP_*). */
    uint32_t (*group_kinds)(void *instance);

    /*
     * Evaluates one dirty group and emits every basket it finds to `sink`.
     * `group` and everything it points to is borrowed for the call.
     * Returns ARB_OK also when nothing was found. [engine-thread]
     */
    arb_status (*evaluate)(void *instance, const arb_group *group, const arb_opportunity_sink *sink,
                           const arb_text_sink *error);

    /* ---- ABI 1.2 ---- The host checks ARB_HAS_FIELD(table, arb_lane_v1, record_outcome): a 1.0/1.1 lane's table ends above. */

    /*
     * Tells the lane how a basket it found ended, so it can learn which groups are worth
     * trading (e.g. Thompson-sampling posteriors). May be NULL. `outcome` is borrowed for
     * the call. [engine-thread]
     */
    void (*record_outcome)(void *instance, const arb_lane_outcome *outcome);
} arb_lane_v1;


/* ========================================================================= */
/* Sizing steps                                                              */
/* ========================================================================= */

/* Per-lane statistics the host keeps (for allocators, Kelly posteriors, ...). */
typedef struct arb_lane_stats {
    uint32_t struct_size;
    uint32_t reserved0;
    arb_str lane_id;
    int64_t baskets;                /* completed baskets recorded */
    int64_t wins;                   /* baskets with P&L > 0 */
    int64_t losses;                 /* incomplete or P&L < 0 */
    int64_t mean_return_ppm;        /* mean return on cost */
    int64_t stdev_return_ppm;       /* sample standard deviation of return on cost */
    int64_t realized_pnl_micros;
} arb_lane_stats;

typedef struct arb_exposure {
    arb_str key;                    /* venue id, category or market id */
    int64_t open_micros;            /* cost of open positions */
} arb_exposure;

typedef uint32_t arb_drawdown_tier;
enum { ARB_TIER_SAFE = 0, ARB_TIER_CAUTION = 1, ARB_TIER_HALT = 2 };

/* What the host knows that a sizing step may use. Borrowed for the call. */
typedef struct arb_sizing_context {
    uint32_t struct_size;
    uint32_t reserved0;
    int64_t now_ns;
    int64_t equity_micros;          /* cash + marked positions */
    int64_t cash_micros;            /* free cash across venues */
    int64_t high_water_micros;      /* equity high-water mark */
    int64_t day_start_equity_micros;
    const arb_exposure *venue_exposure;    uint32_t venue_exposure_count;
    uint32_t category_exposure_count;
    const arb_exposure *category_exposure;
    const arb_exposure *market_exposure;   uint32_t market_exposure_count;
    uint32_t lane_stats_count;
    const arb_lane_stats *lane_stats;       /* all lanes; see `lane_id` of the opportunity */
    arb_str lane_id;                /* the lane that found this opportunity */
    uint64_t seed;                  /* deterministic per opportunity: use for Monte Carlo */
    const arb_group *group;         /* the group and quotes the opportunity came from */
} arb_sizing_context;

typedef uint32_t arb_sizing_verdict;
enum { ARB_SIZE_KEEP = 0, ARB_SIZE_RESIZE = 1, ARB_SIZE_REJECT = 2 };

/* A named number a step reports for the plan's trace ("kelly_fraction_ppm"). */
typedef struct arb_metric {
    arb_str name;
    int64_t value;
} arb_metric;

/*
 * A step's answer. The host owns it and passes it zero-filled except
 * struct_size and `baskets_centi` (the size the previous step left).
 */
typedef struct arb_sizing_decision {
    uint32_t struct_size;
    arb_sizing_verdict verdict;     /* KEEP, RESIZE (baskets_centi changed) or REJECT */
    int64_t baskets_centi;          /* in: current size; out: new size (RESIZE may only shrink) */
} arb_sizing_decision;

typedef struct arb_metric_sink {
    void *ctx;
    void (*write)(void *ctx, const arb_metric *metric); /* copied by the host */
} arb_metric_sink;

/* The sizing-step function table (descriptor.vtable when kind == ARB_KIND_SIZING). */
typedef struct arb_sizing_step_v1 {
    uint32_t struct_size;
    uint32_t reserved0;

    /*
     * Decides on one opportunity. Write the verdict and size to `decision`, a
     * one-line reason to `reason` and any numbers to `metrics`; they go into
     * the plan's trace. A step may only keep, shrink or reject: a larger
     * baskets_centi is treated as KEEP. [engine-thread]
     */
    arb_status (*size)(void *instance, const arb_sizing_context *context, const arb_opportunity *opportunity,
                       arb_sizing_decision *decision, const arb_text_sink *reason, const arb_metric_sink *metrics);
} arb_sizing_step_v1;

/* ========================================================================= */
/* Venues (sans-IO)                                                          */
/* ========================================================================= */

typedef uint32_t arb_http_method;
enum { ARB_HTTP_GET = 0, ARB_HTTP_POST = 1, ARB_HTTP_PUT = 2, ARB_HTTP_DELETE = 3, ARB_HTTP_PATCH = 4 };

typedef struct arb_header {
    arb_str name;
    arb_str value;
} arb_header;

/* An HTTP request a venue plugin wants the host to perform. Borrowed for the sink call. */
typedef struct arb_http_request {
    uint32_t struct_size;
    arb_http_method method;
    arb_str url;                    /* absolute URL including query */
    const arb_header *headers;
    uint32_t header_count;
    uint32_t reserved0;
    const uint8_t *body;
    size_t body_len;
    arb_str rate_bucket;            /* the venue's rate-limit bucket: "read", "write", ... */
    int64_t rate_cost;              /* tokens this request costs in that bucket */
    uint64_t tag;                   /* the plugin's own; handed back with the response */
    uint32_t idempotent;            /* 1 when a retry cannot double-act (GET, or keyed by client id) */
    uint32_t reserved1;
} arb_http_request;

/* The host's answer to an arb_http_request. Borrowed for the call it is passed to. */
typedef struct arb_http_response {
    uint32_t struct_size;
    int32_t status;                 /* HTTP status; 0 when the transport failed */
    const arb_header *headers;
    uint32_t header_count;
    uint32_t reserved0;
    const uint8_t *body;
    size_t body_len;
    int64_t receive_time_ns;
    uint64_t tag;                   /* the request's tag */
} arb_http_response;

typedef uint32_t arb_book_kind;
enum { ARB_BOOK_SNAPSHOT = 0, ARB_BOOK_DELTA = 1 };

/*
 * A book update for one market, as the venue states it: bids for YES and NO
 * (bids-only venues such as Kalshi) and/or asks. The host derives missing
 * asks from the opposite bids. In a DELTA, each level carries the NEW size at
 * that price (0 removes the level).
 */
typedef struct arb_book_update {
    uint32_t struct_size;
    arb_book_kind kind;
    arb_str market_id;
    const arb_level *yes_bids; uint32_t yes_bid_count;
    uint32_t yes_ask_count;    const arb_level *yes_asks;
    const arb_level *no_bids;  uint32_t no_bid_count;
    uint32_t no_ask_count;     const arb_level *no_asks;
    int64_t venue_time_ns;
    int64_t receive_time_ns;
    uint64_t venue_sequence;        /* the venue's sequence, 0 when it has none */
    uint64_t stream_id;             /* the venue's subscription id (Kalshi sid), 0 = none */

    /* ---- ABI 1.4 ---- The host reads it only when ARB_HAS_FIELD(update, arb_book_update, host_market). */

    /* The market's handle from arb_venue_sink.market_handle, or 0. Non-zero, the host
       takes the update for that market without looking market_id up, once it has
       checked that the handle names a market of this venue whose id hashes as
       market_id does; a handle that fails the check is ignored. 0: the host looks
       market_id up as before. market_id is always set. */
    uint32_t host_market;
    uint32_t reserved1;             /* 0 */
} arb_book_update;

typedef uint32_t arb_order_state;
enum {
    ARB_ORDER_PENDING = 0,          /* sent, not yet acknowledged */
    ARB_ORDER_RESTING = 1,          /* acknowledged, open on the book */
    ARB_ORDER_PARTIALLY_FILLED = 2,
    ARB_ORDER_FILLED = 3,
    ARB_ORDER_CANCELED = 4,
    ARB_ORDER_REJECTED = 5,         /* definitive: the venue refused it */
    ARB_ORDER_EXPIRED = 6,
    ARB_ORDER_UNKNOWN = 7           /* no definitive answer: the host must query, never assume */
};

typedef uint32_t arb_time_in_force;
enum { ARB_TIF_GTC = 0, ARB_TIF_IOC = 1, ARB_TIF_FOK = 2, ARB_TIF_GTD = 3 };

/* An order the host wants placed. Its client_order_id is derived from the intent and stable across retries. */
typedef struct arb_order_intent {
    uint32_t struct_size;
    arb_side side;
    arb_action action;
    arb_time_in_force time_in_force;
    arb_str market_id;
    arb_str client_order_id;
    int64_t limit_price_micros;
    int64_t quantity_centi;
    int64_t expires_ns;             /* GTD expiry; 0 = none */
} arb_order_intent;

/* The venue's view of one order. */
typedef struct arb_order_report {
    uint32_t struct_size;
    arb_order_state state;
    arb_str market_id;
    arb_str client_order_id;
    arb_str venue_order_id;
    int64_t filled_centi;           /* cumulative; 0 when nothing filled (never "requested") */
    int64_t remaining_centi;
    int64_t average_price_micros;   /* -1 when nothing filled */
    int64_t fees_micros;
    int64_t venue_time_ns;
    arb_str reason;                 /* the venue's reject/cancel reason, may be empty */
} arb_order_report;

/* One execution. `fill_id` is the venue's trade id: the host dedupes on it. */
typedef struct arb_fill {
    uint32_t struct_size;
    arb_side side;
    arb_action action;
    arb_liquidity liquidity;
    arb_str market_id;
    arb_str venue_order_id;
    arb_str fill_id;
    int64_t price_micros;
    int64_t quantity_centi;
    int64_t fee_micros;
    int64_t venue_time_ns;
} arb_fill;

/* A net position in one market (ABI 1.1). */
typedef struct arb_position {
    uint32_t struct_size;
    uint32_t reserved0;
    arb_str market_id;
    int64_t position_centi;         /* signed: + YES contracts, − NO contracts */
    int64_t cost_micros;            /* cost of the open position */
    int64_t realized_pnl_micros;
    int64_t fees_micros;            /* fees paid in this market */
} arb_position;

typedef struct arb_balance {
    uint32_t struct_size;
    uint32_t reserved0;
    int64_t cash_micros;
    int64_t portfolio_value_micros;
} arb_balance;

/*
 * Everything a venue plugin tells the host goes through this sink. Each slot
 * copies its argument. A slot returns ARB_OK, or an error when the host refuses
 * the item (it logs why). [same thread as the call the sink was passed to]
 */
typedef struct arb_venue_sink {
    uint32_t struct_size;
    uint32_t reserved0;
    void *ctx;
    arb_status (*market)(void *ctx, const arb_market *market);
    arb_status (*book)(void *ctx, const arb_book_update *update);
    arb_status (*order)(void *ctx, const arb_order_report *report);
    arb_status (*fill)(void *ctx, const arb_fill *fill);
    arb_status (*balance)(void *ctx, const arb_balance *balance);
    /* Asks the host to perform a request (discovery pages, resnapshots, orders). */
    arb_status (*request)(void *ctx, const arb_http_request *request);
    /* Asks the host to open (or reopen) the venue's WebSocket with these headers. */
    arb_status (*stream_open)(void *ctx, arb_str url, const arb_header *headers, uint32_t header_count);
    /* Asks the host to send one text frame on the open WebSocket. */
    arb_status (*stream_send)(void *ctx, const uint8_t *frame, size_t len);
    /* Reports a sequence gap or integrity problem on a market: the host resyncs it. */
    arb_status (*gap)(void *ctx, arb_str market_id, arb_str reason);
    /* Reports the venue's rate-limit state from a response (remaining tokens, reset). */
    arb_status (*rate_limit)(void *ctx, arb_str bucket, int64_t remaining, int64_t reset_ns);

    /* ---- ABI 1.1 ---- A plugin must check ARB_HAS_FIELD(sink, arb_venue_sink, position): a 1.0 host's sink ends above. */

    /* Reports one market's net position (reconciliation). */
    arb_status (*position)(void *ctx, const arb_position *position);

    /* ---- ABI 1.4 ---- A plugin must check ARB_HAS_FIELD(sink, arb_venue_sink, market_handle): a 1.0-1.3 host's sink ends above. */

    /* The host's handle for one of this venue's markets, announced earlier through
       `market`: a number to pass back in arb_book_update.host_market, so that the
       host finds the market without looking its id up on every update. 0 when the
       host does not know the market yet (its announcement is still queued): ask
       again later. A handle stays valid while the host runs; one that no longer
       names this market fails the host's check and is ignored (see host_market). */
    uint32_t (*market_handle)(void *ctx, arb_str market_id);
} arb_venue_sink;

/* Venue rules the host and lanes must respect. */
typedef struct arb_venue_rules {
    uint32_t struct_size;
    uint32_t flags;                 /* ARB_MARKET_* that apply to every market of the venue */
    int64_t min_order_centi;        /* venue-wide minimum size */
    int64_t quantity_step_centi;    /* 100 = whole contracts, 1 = 0.01 */
    int64_t max_open_orders;        /* 0 = no stated limit */
} arb_venue_rules;

/* The venue function table (descriptor.vtable when kind == ARB_KIND_VENUE). */
typedef struct arb_venue_v1 {
    uint32_t struct_size;
    uint32_t reserved0;

    /* The venue id this plugin serves ("kalshi"); static, not NULL. [any-thread] */
    const char *(*venue_id)(void *instance);

    /* Fills `rules`. [any-thread] */
    arb_status (*rules)(void *instance, arb_venue_rules *rules);

    /*
     * The venue's fee, with its rounding, for one order. Pure and fast.
     * [any-thread]
     */
    arb_status (*fee)(void *instance, const arb_fee_query *query, arb_fee_result *out);

    /* Emits the first discovery requests (sink.request). [engine-thread] */
    arb_status (*start_discovery)(void *instance, const arb_venue_sink *sink);

    /* Emits a REST book request for one market (start-up, resync). [engine-thread] */
    arb_status (*request_book)(void *instance, arb_str market_id, const arb_venue_sink *sink);

    /*
     * Parses the response to a request this plugin built (matched by tag) and
     * emits what it contains: markets, books, order reports, fills, balances,
     * follow-up requests (next page). A venue error is reported as ARB_ERR_VENUE
     * or ARB_ERR_RATE_LIMITED with the venue's message in `error`. [engine-thread]
     */
    arb_status (*on_response)(void *instance, const arb_http_response *response, const arb_venue_sink *sink,
                              const arb_text_sink *error);

    /*
     * Emits stream_open (URL and signed headers) and the subscription frames
     * for these markets. [engine-thread]
     */
    arb_status (*open_stream)(void *instance, const arb_str *market_ids, uint32_t count, const arb_venue_sink *sink);

    /* Parses one WebSocket text frame: books, deltas, fills, gaps, pongs to send. [engine-thread] */
    arb_status (*on_stream_frame)(void *instance, const uint8_t *frame, size_t len, int64_t receive_time_ns,
                                  const arb_venue_sink *sink, const arb_text_sink *error);

    /* Emits the request that places this order. [engine-thread] */
    arb_status (*place_order)(void *instance, const arb_order_intent *intent, const arb_venue_sink *sink);

    /* Emits the request that cancels an order. [engine-thread] */
    arb_status (*cancel_order)(void *instance, arb_str market_id, arb_str venue_order_id, const arb_venue_sink *sink);

    /* Emits the request that reads one order's state (by venue or client id). [engine-thread] */
    arb_status (*query_order)(void *instance, arb_str client_order_id, arb_str venue_order_id,
                              const arb_venue_sink *sink);

    /* Emits requests for balance, positions and fills (reconciliation). [engine-thread] */
    arb_status (*request_account)(void *instance, const arb_venue_sink *sink);

    /* Called about once a second: heartbeats, pings, token refresh. May emit nothing. [engine-thread] */
    arb_status (*on_timer)(void *instance, int64_t now_ns, const arb_venue_sink *sink);

    /* ---- ABI 1.3 ---- The host checks ARB_HAS_FIELD(table, arb_venue_v1, refresh_request).
     * The request the plugin emitted with `tag` waited in the host's rate governor so long that
     * its signature may have expired (venues check the signed timestamp). Emit it again through
     * sink->request, same tag, freshly signed; or emit nothing to have it sent as it is. NULL, or
     * a 1.2 plugin: sent as it is. [engine-thread] */
    arb_status (*refresh_request)(void *instance, uint64_t tag, const arb_venue_sink *sink);
} arb_venue_v1;

#ifdef __cplusplus
}
#endif

#endif /* ARB_PLUGIN_H */
