# Writes the OpenAPI document into a C++ source as a raw string literal.
file(READ ${IN} content)
file(WRITE ${OUT} "// Generated from src/admin/openapi.json; do not edit.\n"
  "#include \"admin/routes.h\"\n"
  "namespace plinth::admin {\n"
  "std::string_view openapi_document() {\n"
  "  static constexpr std::string_view kDocument = R\"plinth_openapi(${content})plinth_openapi\";\n"
  "  return kDocument;\n}\n}  // namespace plinth::admin\n")
