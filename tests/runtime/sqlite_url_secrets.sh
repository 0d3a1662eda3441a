#!/usr/bin/env bash
# sqlite_url_secrets.sh: a URL the binary does not recognise is refused
# (exit 2) without its password in any output, whatever its shape: a JDBC
# URL, a scheme with a typo or one slash, a URL without its scheme.
. "$(dirname "$0")/lib.sh"
B=$RT_BIN/rt_basic
for url in 'jdbc:postgresql://app:S3cretPw@db.example/app' \
           'postgres:/app:S3cretPw@db.example/app' \
           'app:S3cretPw@db.example/app' \
           'mysql://app:S3cretPw@db.example/app'; do
  for cmd in status "up --dry-run" verify; do
    run 2 "$B" --database "$url" $cmd
    err_has "unrecognised database url"
    ! grep -qF S3cretPw "$T/err" "$T/out" || { cat "$T/err"; fail "the password of '$url' was printed ($cmd)"; }
  done
  DATABASE_URL=$url run 2 "$B" status
  ! grep -qF S3cretPw "$T/err" "$T/out" || { cat "$T/err"; fail "the password of DATABASE_URL '$url' was printed"; }
done
# what helps the operator stays: the scheme of the URL, and a plain file name
run 2 "$B" --database 'jdbc:postgresql://app:S3cretPw@db.example/app' status; err_has "'jdbc:"
run 2 "$B" --database 'app.db' status; err_has "'app.db'"
echo ok
