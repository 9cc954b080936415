# Writes a C++ source defining `std::string_view NAME()` that returns the bytes of IN, so a
# document kept in the repository (docs/openapi.json) is served exactly as written, with
# nothing read from disk at run time. Run as: cmake -DIN=… -DOUT=… -DNAME=… -DNS=… -P this.
file(READ "${IN}" content)
string(FIND "${content}" ")levain_embed\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} holds the raw-string delimiter )levain_embed\"")
endif()
file(WRITE "${OUT}.tmp"
  "// Generated from ${IN} by cmake/embed_text.cmake; edit that file instead.\n"
  "#include <string_view>\n\nnamespace ${NS} {\n\n"
  "std::string_view ${NAME}() {\n"
  "  static constexpr std::string_view kText = R\"levain_embed(${content})levain_embed\";\n"
  "  return kText;\n}\n\n}  // namespace ${NS}\n")
# Only a changed document rebuilds what includes it.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
