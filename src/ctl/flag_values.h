// Parsing the values of plinthctl's flags into what the API takes: integers in a range,
// percents, k=v parameters, endpoint specs and secrets read from the environment. Errors are
// usage errors naming the flag and the value.
#pragma once

#include "core/result.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace plinth::ctl {

// Reads an environment variable; nullopt when unset. Injected so that tests need no setenv.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// A base-10 integer in [min, max].
Result<std::int64_t> parse_integer(std::string_view flag, std::string_view text, std::int64_t min,
                                   std::int64_t max);

// A number in [min, max], kept an integer when written as one ("10" -> 10, "2.5" -> 2.5).
Result<boost::json::value> parse_number(std::string_view flag, std::string_view text, double min,
                                        double max);

// "k=v" for --default-param/--max-param: v is JSON when it parses as JSON (0.7, true, null,
// [1,2], "quoted"), otherwise the string as written (stop=END).
Result<std::pair<std::string, boost::json::value>> parse_param(std::string_view flag,
                                                               std::string_view text);

// "URL[,weight=N]" for --endpoint: {"url": URL} plus "weight" when given.
Result<boost::json::object> parse_endpoint(std::string_view flag, std::string_view text);

// The value of the environment variable that --api-key-env names; unset or empty is an error.
Result<std::string> secret_from_env(std::string_view flag, const std::string& variable,
                                    const EnvLookup& env);

}  // namespace plinth::ctl
