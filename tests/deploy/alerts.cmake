# The Prometheus rules and the Grafana board: promtool (Debian's, which scripts/install-deps
# unpacks into /opt/levain-tools/bin rather than installing a Prometheus server) checks the rules
# and runs their unit tests; a real run of the binary under test must export every metric they
# and the board name. Without promtool they fail and say how to get it, never skip.
find_program(LEVAIN_PROMTOOL promtool HINTS /opt/levain-tools/bin)
set(levain_rules_dir ${PROJECT_SOURCE_DIR}/deploy/prometheus)

if(LEVAIN_PROMTOOL)
  add_test(NAME deploy.rules_check
           COMMAND ${LEVAIN_PROMTOOL} check rules ${levain_rules_dir}/levain-rules.yml)
  add_test(NAME deploy.rules_unit
           COMMAND ${LEVAIN_PROMTOOL} test rules ${levain_rules_dir}/levain-rules.test.yml)
  set(levain_promtool_arg ${LEVAIN_PROMTOOL})
else()
  foreach(name deploy.rules_check deploy.rules_unit)
    add_test(NAME ${name} COMMAND sh -c
             "echo 'promtool not found: run scripts/install-deps, then cmake again'; exit 1")
  endforeach()
  set(levain_promtool_arg promtool-not-found)
endif()
set_tests_properties(deploy.rules_check deploy.rules_unit PROPERTIES LABELS deploy TIMEOUT 60)

# On the `rabbitmq` fixture's broker (tests/unit/bus), so the bus metrics are there to be found.
# Debian's python3, which has PyYAML (install-deps); the first python3 on PATH may be another.
if(TARGET levain)
  add_test(NAME deploy.metric_names
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/metric_names_test.py
                   --levain $<TARGET_FILE:levain> --repo ${PROJECT_SOURCE_DIR}
                   --broker-dir ${CMAKE_BINARY_DIR}/test-rabbitmq
                   --promtool ${levain_promtool_arg}
                   --work ${CMAKE_CURRENT_BINARY_DIR}/metric-names)
  set_tests_properties(deploy.metric_names PROPERTIES TIMEOUT 300 FIXTURES_REQUIRED rabbitmq
                                                      LABELS "deploy;integration;rabbitmq")
endif()
