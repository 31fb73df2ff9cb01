#include "ctl/args.h"

#include "ctl/exit_code.h"

#include <gtest/gtest.h>

namespace plinth::ctl {
namespace {

const CommandSyntax kSyntax{{"MODEL", "VERSION?"},
                            {{"provider", "P", "", false, true},
                             {"endpoint", "URL", "", true},
                             {"force", "", ""},
                             {"file", "FILE", "", false, false, 'f'}}};

Result<ParsedArgs> parse(std::vector<std::string> args) { return parse_args(kSyntax, args); }

TEST(ParseArgs, TakesPositionalsValuesAndRepeatedOptionsInOrder) {
  auto a = parse({"demo", "--provider", "openai", "v2", "--endpoint=http://a/v1", "--endpoint",
                  "http://b/v1", "--force"});
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->positionals(), (std::vector<std::string>{"demo", "v2"}));
  EXPECT_EQ(a->value("provider"), "openai");
  EXPECT_EQ(a->values("endpoint"), (std::vector<std::string>{"http://a/v1", "http://b/v1"}));
  EXPECT_TRUE(a->has("force"));
  EXPECT_FALSE(a->has("file"));
}

TEST(ParseArgs, OptionalPositionalMayBeOmitted) {
  auto a = parse({"demo", "--provider", "tgi"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->positional(1), "");
}

TEST(ParseArgs, ShortOptionTakesSeparateOrAttachedValue) {
  auto a = parse({"demo", "--provider=x", "-f", "a.yaml"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->value("file"), "a.yaml");
  auto b = parse({"demo", "--provider=x", "-fb.yaml"});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->value("file"), "b.yaml");
}

TEST(ParseArgs, DoubleDashEndsOptions) {
  auto a = parse({"--provider", "x", "--", "--weird-name"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->positional(0), "--weird-name");
}

TEST(ParseArgs, ErrorsAreUsageErrorsNamingTheArgument) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"demo"}, "missing option --provider P"},
      {{"--provider", "x"}, "missing argument MODEL"},
      {{"a", "b", "c", "--provider", "x"}, "unexpected argument 'c'"},
      {{"a", "--provider", "x", "--nope"}, "unknown option '--nope'"},
      {{"a", "--provider", "x", "-z"}, "unknown option '-z'"},
      {{"a", "--provider"}, "--provider needs a value (P)"},
      {{"a", "--provider", "x", "--provider", "y"}, "--provider given more than once"},
      {{"a", "--provider", "x", "--force=yes"}, "--force takes no value"},
  };
  for (const auto& c : cases) {
    auto a = parse(c.args);
    ASSERT_FALSE(a.ok()) << c.message;
    EXPECT_EQ(a.error().message, c.message);
    EXPECT_EQ(exit_code_for(a.error()), ExitCode::kUsage);
  }
}

TEST(GlobalOptions, AreTakenFromAnywhereBeforeDoubleDash) {
  std::vector<std::string> args{"-o", "json",  "models", "--url=http://h:1", "get",
                                "x",  "--key", "k",      "--if-match",       "7",
                                "-h", "--",    "--url"};
  auto g = extract_global_options(args);
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(g->output, OutputFormat::kJson);
  EXPECT_EQ(g->url, "http://h:1");
  EXPECT_EQ(g->key, "k");
  EXPECT_EQ(g->if_match, "7");
  EXPECT_TRUE(g->help);
  EXPECT_EQ(args, (std::vector<std::string>{"models", "get", "x", "--", "--url"}));
}

TEST(GlobalOptions, OutputAcceptsAttachedForms) {
  for (std::string form : {"-ojson", "-o=json", "--output=json"}) {
    std::vector<std::string> args{"models", form};
    auto g = extract_global_options(args);
    ASSERT_TRUE(g.ok()) << form;
    EXPECT_EQ(g->output, OutputFormat::kJson) << form;
    EXPECT_EQ(args, std::vector<std::string>{"models"});
  }
}

TEST(GlobalOptions, RefuseUnknownFormatAndMissingValue) {
  std::vector<std::string> args{"-o", "yaml"};
  auto g = extract_global_options(args);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().message, "-o must be table or json, got 'yaml'");
  std::vector<std::string> args2{"models", "--key"};
  EXPECT_FALSE(extract_global_options(args2).ok());
}

TEST(UsageLine, ListsRequiredThenOptionalOptions) {
  EXPECT_EQ(usage_line(kSyntax),
            "MODEL [VERSION] --provider P [--endpoint URL]... [--force] [-f FILE]");
}

}  // namespace
}  // namespace plinth::ctl
