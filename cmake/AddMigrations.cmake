#[=======================================================================[.rst:
AddMigrations
-------------

Compiles a directory of migrations (``<version>_<slug>.mig`` files) with the
migc compiler into a static library, and optionally into a migration binary
and SQL scripts. Defined by ``find_package(migc CONFIG)`` and by
``add_subdirectory()`` / ``FetchContent`` of a migc source tree.

.. code-block:: cmake

  add_migrations(<name>
    [DIRECTORY <dir>]              # default: ${CMAKE_CURRENT_SOURCE_DIR}/migrations
    [DIALECTS postgres|sqlite...]  # default: both
    [EXECUTABLE <target>]          # the migration binary (DESIGN §5)
    [STATIC]                       # make that binary fully static (needs EXECUTABLE)
    [SQL_DIR <dir>])               # export SQL at build time: <dir>/<dialect>/{up,down}.sql

``<name>`` is both the library target and the generated plan: the library
holds ``<name>.c`` (``const struct migc_plan <name>``) and exposes
``<name>.h`` (``#define <NAME>_HEAD_VERSION``, upper-cased). It links
``migc::runtime`` and only the drivers of ``DIALECTS``, so a SQLite-only
library never links libpq.

The migrations are compiled with ``migc build --strict`` at build time:

- a migration error fails the build and the build log shows the compiler's
  diagnostic (``file:line:col: error: ...``);
- editing a ``.mig`` file re-runs migc on the next build; a new or removed
  file is noticed without re-running CMake by hand (``CONFIGURE_DEPENDS``);
- a stamp file is the command's output and migc rewrites ``<name>.c`` and
  ``<name>.h`` only when their content changes, so touching a migration
  without changing its meaning recompiles nothing.

``STATIC`` links ``-static`` (not ``-static-pie``) against libsqlite3.a,
and for PostgreSQL against a static libpq without GSSAPI/LDAP plus
libssl.a/libcrypto.a (TLS works; see docs/static.md). The static libpq is
taken from ``MIGC_STATIC_LIBPQ_DIR`` if set, else from the migc package if it
was installed with one, else built once into this build tree from Debian's
source (``static/build-libpq.sh``). In an empty root (a ``FROM scratch``
image) name the user in the PostgreSQL URL: there is no passwd file.

Example:

.. code-block:: cmake

  find_package(migc CONFIG REQUIRED)
  add_migrations(app_migrations
    DIRECTORY  ${CMAKE_CURRENT_SOURCE_DIR}/migrations
    DIALECTS   postgres sqlite
    EXECUTABLE app-migrate
    STATIC
    SQL_DIR    ${CMAKE_CURRENT_BINARY_DIR}/sql)
  add_executable(app app.c)           # app.c: #include "app_migrations.h"
  target_link_libraries(app PRIVATE app_migrations)
#]=======================================================================]
include_guard(GLOBAL)

# _migc_real_target(<out> <target>): the target an ALIAS stands for, or the
# name itself (an imported or ordinary target). Never fails.
function(_migc_real_target out target)
  get_target_property(aliased ${target} ALIASED_TARGET)
  if(aliased)
    set(${out} ${aliased} PARENT_SCOPE)
  else()
    set(${out} ${target} PARENT_SCOPE)
  endif()
endfunction()

# _migc_static_libpq(<libs-out> <target-out>): the static libpq archives
# (libpq.a libpgcommon.a libpgport.a) and the target that builds them (empty
# when they exist already). Order: MIGC_STATIC_LIBPQ_DIR, the package's own,
# else a build of Debian's source into ${CMAKE_BINARY_DIR}/migc-static-libpq,
# defined once per project.
function(_migc_static_libpq libs_out target_out)
  if(MIGC_STATIC_LIBPQ_DIR)
    set(lib ${MIGC_STATIC_LIBPQ_DIR}/lib)
    set(${libs_out} ${lib}/libpq.a ${lib}/libpgcommon.a ${lib}/libpgport.a PARENT_SCOPE)
    set(${target_out} "" PARENT_SCOPE)
    return()
  endif()
  get_property(libs GLOBAL PROPERTY MIGC_STATIC_LIBPQ_LIBS)
  get_property(target GLOBAL PROPERTY MIGC_STATIC_LIBPQ_TARGET)
  if(NOT libs)
    set(out ${CMAKE_BINARY_DIR}/migc-static-libpq)
    set(lib ${out}/prefix/lib)
    set(libs ${lib}/libpq.a ${lib}/libpgcommon.a ${lib}/libpgport.a)
    set(target migc_static_libpq)
    if(NOT TARGET ${target})
      # The custom target makes the archives reachable from executables in
      # any directory (a custom command's outputs belong to its directory).
      add_custom_command(OUTPUT ${libs}
        COMMAND ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/static/build-libpq.sh ${out}
        COMMENT "[MIGC] building a static libpq from Debian's postgresql-15 source (once; see migc's docs/static.md)"
        VERBATIM)
      add_custom_target(${target} DEPENDS ${libs})
    endif()
    set_property(GLOBAL PROPERTY MIGC_STATIC_LIBPQ_LIBS ${libs})
    set_property(GLOBAL PROPERTY MIGC_STATIC_LIBPQ_TARGET ${target})
  endif()
  set(${libs_out} ${libs} PARENT_SCOPE)
  set(${target_out} "${target}" PARENT_SCOPE)
endfunction()

# _migc_static_system_lib(<out> <file> <package>): the full path of a static
# archive (libssl.a, ...) on the library search path. On failure a
# SEND_ERROR names the package to install and <out> is empty.
function(_migc_static_system_lib out file package)
  string(MAKE_C_IDENTIFIER "MIGC_STATIC_${file}" var)
  find_library(${var} NAMES ${file})
  if(NOT ${var})
    message(SEND_ERROR "add_migrations: STATIC needs ${file}, which was not found; install ${package}")
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  set(${out} ${${var}} PARENT_SCOPE)
endfunction()

function(add_migrations name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "STATIC" "DIRECTORY;EXECUTABLE;SQL_DIR" "DIALECTS")
  set(fn "add_migrations(${name})")
  if(arg_UNPARSED_ARGUMENTS)
    message(SEND_ERROR "${fn}: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
    return()
  endif()
  if(arg_KEYWORDS_MISSING_VALUES)
    message(SEND_ERROR "${fn}: ${arg_KEYWORDS_MISSING_VALUES} needs a value")
    return()
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(SEND_ERROR "add_migrations: '${name}' is not a C identifier; the name is also the generated plan's C name (e.g. app_migrations)")
    return()
  endif()
  if(TARGET ${name})
    message(SEND_ERROR "${fn}: a target named '${name}' exists already")
    return()
  endif()
  if(NOT TARGET migc::migc OR NOT TARGET migc::runtime)
    message(SEND_ERROR "${fn}: migc::migc and migc::runtime are not defined; call find_package(migc CONFIG REQUIRED) (or add_subdirectory of migc) first")
    return()
  endif()

  set(dir ${arg_DIRECTORY})
  if(NOT dir)
    set(dir migrations)
  endif()
  get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  if(NOT IS_DIRECTORY "${dir}")
    message(SEND_ERROR "${fn}: DIRECTORY '${dir}' is not a directory")
    return()
  endif()

  set(dialects ${arg_DIALECTS})
  if(NOT dialects)
    set(dialects postgres sqlite)
  endif()
  list(REMOVE_DUPLICATES dialects)
  list(SORT dialects)
  foreach(d ${dialects})
    if(NOT d MATCHES "^(postgres|sqlite)$")
      message(SEND_ERROR "${fn}: unknown dialect '${d}'; DIALECTS takes postgres and/or sqlite")
      return()
    endif()
    if(NOT TARGET migc::driver_${d})
      message(SEND_ERROR "${fn}: this migc was built without the ${d} driver (migc::driver_${d}); rebuild migc with it or drop ${d} from DIALECTS")
      return()
    endif()
  endforeach()
  list(JOIN dialects "," dialect_arg)

  if(arg_STATIC AND NOT arg_EXECUTABLE)
    message(SEND_ERROR "${fn}: STATIC makes the EXECUTABLE static; name it with EXECUTABLE <target>")
    return()
  endif()
  if(arg_EXECUTABLE AND TARGET ${arg_EXECUTABLE})
    message(SEND_ERROR "${fn}: EXECUTABLE '${arg_EXECUTABLE}' names a target that exists already")
    return()
  endif()

  # Inputs. CONFIGURE_DEPENDS re-runs CMake on the next build when a .mig
  # file appears or goes; the list file then changes too, which re-runs
  # migc even when only a removal happened (no input is newer then).
  file(GLOB migs CONFIGURE_DEPENDS "${dir}/*.mig")
  list(SORT migs)
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/migc/${name})
  file(MAKE_DIRECTORY ${gen})
  list(JOIN migs "\n" inputs_text)
  file(CONFIGURE OUTPUT ${gen}/inputs.txt CONTENT "${inputs_text}\n" @ONLY)

  _migc_real_target(migc_target migc::migc)
  get_target_property(migc_imported ${migc_target} IMPORTED)
  if(migc_imported)
    set(migc_dep $<TARGET_FILE:${migc_target}>)
  else()
    set(migc_dep ${migc_target})
  endif()

  set(outputs ${gen}/${name}.c ${gen}/${name}.h)
  set(sql_commands)
  if(arg_SQL_DIR)
    get_filename_component(sql_dir "${arg_SQL_DIR}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_BINARY_DIR})
    foreach(d ${dialects})
      file(MAKE_DIRECTORY ${sql_dir}/${d})
      list(APPEND outputs ${sql_dir}/${d}/up.sql ${sql_dir}/${d}/down.sql)
      list(APPEND sql_commands
        COMMAND $<TARGET_FILE:${migc_target}> sql -d ${dir} --dialect ${d} -o ${sql_dir}/${d}/up.sql
        COMMAND $<TARGET_FILE:${migc_target}> sql -d ${dir} --dialect ${d} --down -o ${sql_dir}/${d}/down.sql)
    endforeach()
  endif()

  set(stamp ${gen}/${name}.stamp)
  add_custom_command(
    OUTPUT ${stamp}
    BYPRODUCTS ${outputs}
    COMMAND $<TARGET_FILE:${migc_target}> build -d ${dir} -o ${gen} --name ${name}
            --dialect ${dialect_arg} --strict
    ${sql_commands}
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${migs} ${gen}/inputs.txt ${migc_dep}
    COMMENT "[MIGC][${name}] compiling migrations in ${dir}"
    VERBATIM)

  add_library(${name} STATIC ${gen}/${name}.c ${gen}/${name}.h ${stamp})
  set_target_properties(${name} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
  target_include_directories(${name} PUBLIC $<BUILD_INTERFACE:${gen}>)
  target_link_libraries(${name} PUBLIC migc::runtime)
  foreach(d ${dialects})
    target_link_libraries(${name} PUBLIC migc::driver_${d})
  endforeach()

  if(NOT arg_EXECUTABLE)
    return()
  endif()

  # The migration binary: its whole main() is a call to migc_main.
  set(exe ${arg_EXECUTABLE})
  file(CONFIGURE OUTPUT ${gen}/${name}_main.c @ONLY CONTENT [[
/* Generated by add_migrations(@name@): the migration binary's entry point. */
#include "migc/migc.h"
#include "@name@.h"

int main(int argc, char **argv)
{
    return migc_main(&@name@, argc, argv);
}
]])
  add_executable(${exe} ${gen}/${name}_main.c)
  set_target_properties(${exe} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
  if(NOT arg_STATIC)
    target_link_libraries(${exe} PRIVATE ${name})
    return()
  endif()

  # STATIC: link the archives themselves, not the targets, whose usage
  # requirements name shared libraries (libsqlite3.so, libpq.so).
  set(static_libs $<TARGET_FILE:${name}>)
  set(deps ${name})
  foreach(t ${dialects} runtime)
    if(t STREQUAL "postgres" OR t STREQUAL "sqlite")
      set(t driver_${t})
    endif()
    _migc_real_target(real migc::${t})
    list(APPEND static_libs $<TARGET_FILE:${real}>)
    get_target_property(imported ${real} IMPORTED)
    if(NOT imported)
      list(APPEND deps ${real})
    endif()
  endforeach()
  if("sqlite" IN_LIST dialects)
    _migc_static_system_lib(sqlite_a libsqlite3.a "libsqlite3-dev")
    if(NOT sqlite_a)
      return()
    endif()
    list(APPEND static_libs ${sqlite_a})
  endif()
  if("postgres" IN_LIST dialects)
    _migc_static_libpq(libpq_libs libpq_target)
    _migc_static_system_lib(ssl_a libssl.a "libssl-dev (OpenSSL, for TLS)")
    _migc_static_system_lib(crypto_a libcrypto.a "libssl-dev (OpenSSL, for TLS)")
    if(NOT ssl_a OR NOT crypto_a)
      return()
    endif()
    list(APPEND static_libs ${libpq_libs} ${ssl_a} ${crypto_a})
    if(libpq_target)
      list(APPEND deps ${libpq_target})
    endif()
  endif()
  list(APPEND static_libs m dl)
  add_dependencies(${exe} ${deps})
  target_include_directories(${exe} PRIVATE ${gen}
    $<TARGET_PROPERTY:migc::runtime,INTERFACE_INCLUDE_DIRECTORIES>)
  set_target_properties(${exe} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
  target_link_options(${exe} PRIVATE -static -pthread)
  target_link_libraries(${exe} PRIVATE ${static_libs})
endfunction()
