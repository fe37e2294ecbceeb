/* report.c - turns a result into what people and machines read: short
 * effect labels and the JSON object of --format json (built with
 * jansson, never by hand).  Takes results from score.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

const char *mc_effect_label(const mc_finding *f, char *buf, size_t size)
{
    switch (f->effect) {
    case MC_EFFECT_CAP:
        snprintf(buf, size, "caps at %d", f->value);
        break;
    case MC_EFFECT_REGRET:
        snprintf(buf, size, "regret");
        break;
    case MC_EFFECT_COMPONENT:
        snprintf(buf, size, "+%s", mc_component_name((unsigned)f->value));
        break;
    case MC_EFFECT_DEDUCT:
        snprintf(buf, size, "-1 %s", mc_deduct_name(f->value));
        break;
    case MC_EFFECT_MISSING:
        snprintf(buf, size, "missing");
        break;
    default:
        snprintf(buf, size, "limit");
        break;
    }
    return buf;
}

/* The effect as the rules files write it: "cap 6", "deduct excuse". */
static const char *effect_key(const mc_finding *f, char *buf, size_t size)
{
    switch (f->effect) {
    case MC_EFFECT_CAP:
        snprintf(buf, size, "cap %d", f->value);
        return buf;
    case MC_EFFECT_REGRET:
        return "regret";
    case MC_EFFECT_COMPONENT:
        snprintf(buf, size, "component %s",
                 mc_component_name((unsigned)f->value));
        return buf;
    case MC_EFFECT_DEDUCT:
        snprintf(buf, size, "deduct %s", mc_deduct_name(f->value));
        return buf;
    case MC_EFFECT_MISSING:
        return "missing";
    default:
        return "limit";
    }
}

static json_t *finding_json(const mc_finding *f)
{
    char buf[64];
    json_t *o = json_object();
    json_object_set_new(o, "rule", json_string(f->rule));
    json_object_set_new(o, "category", json_string(f->category));
    json_object_set_new(o, "effect", json_string(effect_key(f, buf, sizeof buf)));
    json_object_set_new(o, "counted", json_boolean(f->counted));
    if (f->line) {
        json_object_set_new(o, "line", json_integer(f->line));
        json_object_set_new(o, "column", json_integer(f->column));
    } else {
        json_object_set_new(o, "line", json_null());
        json_object_set_new(o, "column", json_null());
    }
    json_object_set_new(o, "match", json_string(f->match));
    json_object_set_new(o, "message", json_string(f->message));
    json_object_set_new(o, "suggestion", json_string(f->suggestion));
    return o;
}

static json_t *components_json(unsigned comps)
{
    json_t *a = json_array();
    for (int i = 0; i < MC_COMP_COUNT; i++)
        if (comps & (1u << i))
            json_array_append_new(a, json_string(mc_component_name(1u << i)));
    return a;
}

char *mc_report_json(const mc_result *r, const char *file,
                     const char *id_json)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (id_json) {
        json_t *id = json_loads(id_json, JSON_DECODE_ANY, NULL);
        json_object_set_new(o, "id", id ? id : json_string(id_json));
    }
    if (file)
        json_object_set_new(o, "file", json_string(file));
    json_object_set_new(o, "lang", json_string(mc_lang_name(r->lang)));
    json_object_set_new(o, "score", json_integer(r->score));
    json_object_set_new(o, "level", json_integer(r->level));
    json_object_set_new(o, "components", components_json(r->components));
    json_t *fs = json_array();
    for (size_t i = 0; i < r->nfindings; i++)
        json_array_append_new(fs, finding_json(&r->findings[i]));
    json_object_set_new(o, "findings", fs);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

/* ---- The rule catalogue (SARIF's tool.driver.rules) ------------------- */

int mc_rules_info(const mc_rules *set, size_t i, mc_rule_info *out)
{
    for (size_t k = 0; set && k < set->n; k++) {
        const mc_rule *r = set->rules[k];
        if (r->effect == MC_EFFECT_MASK)
            continue;
        if (i > 0) {
            i--;
            continue;
        }
        *out = (mc_rule_info){r->id, r->category, r->message,
                              r->suggestion ? r->suggestion : "", r->file,
                              r->line, r->lang, r->effect, r->value,
                              r->disabled};
        return 1;
    }
    return 0;
}
