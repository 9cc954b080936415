# The Debian package (issue 18; docs/deploy.md, "The package"): the binary, the dashboard with
# its chart library, the hardened systemd units, /etc/levain/levain.toml as a conffile, a man
# page and the --help text of the two services. scripts/package runs cpack on a build that
# exists already; nothing here compiles anything.

# Packaging never builds: with Makefiles cpack runs the `preinstall` target, which would
# otherwise depend on `all` (Ninja has no such step). CI packages the build it already made.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(levain_web ${PROJECT_SOURCE_DIR}/web)
set(levain_deploy ${PROJECT_SOURCE_DIR}/deploy)

install(TARGETS levain RUNTIME DESTINATION bin)

# The dashboard as the gateway serves it: index.html, app/, client/, and of web/node_modules
# only the two uPlot files the page loads (node_modules/uplot/dist/..., no CDN) and its licence.
set(levain_web_dir share/levain/web)
install(FILES ${levain_web}/index.html DESTINATION ${levain_web_dir})
install(DIRECTORY ${levain_web}/app ${levain_web}/client DESTINATION ${levain_web_dir})
set(levain_uplot ${levain_web}/node_modules/uplot)
if(NOT EXISTS ${levain_uplot}/dist/uPlot.esm.js)
  message(WARNING "web/node_modules/uplot is missing (npm install in web/): the package needs "
                  "the dashboard's chart library, so cpack will fail until it is there")
endif()
install(FILES ${levain_uplot}/dist/uPlot.esm.js ${levain_uplot}/dist/uPlot.min.css
        DESTINATION ${levain_web_dir}/node_modules/uplot/dist)
install(FILES ${levain_uplot}/LICENSE DESTINATION ${levain_web_dir}/node_modules/uplot)

# Absolute destinations: Debian wants these outside /usr, and CPack's DEB generator stages them
# under its own root like the rest.
install(FILES ${levain_deploy}/systemd/levain-training.service
              ${levain_deploy}/systemd/levain-gateway.service
        DESTINATION /lib/systemd/system)
install(FILES ${levain_deploy}/levain.toml DESTINATION /etc/levain)
install(FILES ${levain_deploy}/levain.1 DESTINATION share/man/man1)

# The help of the binary being packaged, so the flags listed always match it. ASan's leak check
# is off for these three runs only: a sanitizer build may be the one packaged.
install(CODE [[
  set(help "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/share/doc/levain/help.txt")
  file(WRITE "${help}" "")
  foreach(cmd --version --help "training --help" "gateway --help")
    separate_arguments(args UNIX_COMMAND "${cmd}")
    execute_process(COMMAND "${CMAKE_COMMAND}" -E env ASAN_OPTIONS=detect_leaks=0
                            "$<TARGET_FILE:levain>" ${args}
                    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "levain ${cmd} failed (${rc}): ${err}")
    endif()
    file(APPEND "${help}" "$ levain ${cmd}\n${out}\n")
  endforeach()
]])

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME levain)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Levain")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Demand-forecast training for bakeries, with live training progress")
set(LEVAIN_PACKAGE_MAINTAINER "Levain maintainers <maintainers@levain.invalid>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${LEVAIN_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Demand-forecast training for bakeries, with live training progress
 levain training fits one demand model per product from a bakery's sales and
 reports progress live over WebSocket and server-sent events; levain gateway
 verifies tokens, routes to training replicas and serves the dashboard.
 Includes hardened systemd units and a commented /etc/levain/levain.toml.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# levain_<version>_<arch>.deb (no Debian revision is set, so none is appended).
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The binary goes in stripped: the build tree keeps the symbols for debugging.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "rabbitmq-server, postgresql")

# /etc files must be conffiles, or an upgrade would overwrite the operator's settings.
file(WRITE ${CMAKE_BINARY_DIR}/packaging/conffiles "/etc/levain/levain.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_BINARY_DIR}/packaging/conffiles ${levain_deploy}/debian/postinst
    ${levain_deploy}/debian/prerm ${levain_deploy}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# Depends: computed from the binary by dpkg-shlibdeps (dpkg-dev) when it is there; otherwise the
# Debian 12 packages of the libraries `readelf -d build/asan/levain` lists as NEEDED.
find_program(LEVAIN_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(LEVAIN_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(levain_depends
      "libc6, libstdc++6, libgcc-s1, libssl3, libjwt0, librabbitmq4, libspdlog1.10, libfmt9"
      "libsqlite3-0, libpqxx-6.4, libpq5, libboost-json1.81.0, libboost-url1.81.0"
      "libboost-container1.81.0")
  if(LEVAIN_SANITIZE)
    list(APPEND levain_depends "libasan8, libubsan1")
  endif()
  list(JOIN levain_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
endif()

include(CPack)
