# The Debian package of the binary under test, made by scripts/package from this build tree (no
# second build), checked with dpkg-deb, its units with systemd-analyze, its config sample and
# dashboard with the packaged binary itself.
if(TARGET levain)
  add_test(NAME deploy.package
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/package_test.sh $<TARGET_FILE:levain>
                   ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  # cpack gzips a ~440 MB binary (about a minute on 2 cores); the timeout only catches a hang.
  set_tests_properties(deploy.package PROPERTIES TIMEOUT 900 LABELS "deploy;integration" COST 50)
endif()
