// YAML to JSON for `plinthctl apply -f`: the document the API takes, written in YAML.
#pragma once

#include "core/result.h"

#include <boost/json/value.hpp>

#include <string_view>

namespace plinth::ctl {

// Converts one YAML document to JSON. Plain scalars follow the YAML 1.2 core schema: null,
// ~ and empty are null; true/false booleans; integers (decimal, 0x, 0o) and floats (1.5,
// 1e3) numbers; anything else, and every quoted or !!str scalar, a string (so "10" stays a
// string and `yes` is the string "yes"). Mapping keys become strings; a duplicate key, .inf
// or .nan (no JSON form) is an error naming its path ("models[0].name"). Errors carry
// "line L, column C" for syntax errors; `source` (a file name) prefixes every message.
Result<boost::json::value> yaml_to_json(std::string_view yaml, std::string_view source = {});

}  // namespace plinth::ctl
