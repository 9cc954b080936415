// Boost.URL's implementation, compiled with the fuzz instrumentation (see CMakeLists.txt).
#include <boost/url/src.hpp>
