INSERT INTO "AspNetUsers" ("Id", "AccessFailedCount", "EmailConfirmed", "LockoutEnabled", "PhoneNumberConfirmed", "TwoFactorEnabled", "UserName", "NormalizedUserName", "Email", "NormalizedEmail")
  VALUES ('a1', 0, true, true, false, false, 'alice@example.com', 'ALICE@EXAMPLE.COM', 'alice@example.com', 'ALICE@EXAMPLE.COM');
INSERT INTO "AspNetRoles" ("Id", "Name", "NormalizedName") VALUES ('r1', 'Admin', 'ADMIN');
INSERT INTO "AspNetUserRoles" ("UserId", "RoleId") VALUES ('a1', 'r1');
INSERT INTO "AspNetUserTokens" ("UserId", "LoginProvider", "Name", "Value") VALUES ('a1', '[AspNetUserStore]', 'AuthenticatorKey', 'K3Y');
INSERT INTO "AspNetUserClaims" ("ClaimType", "ClaimValue", "UserId") VALUES ('name', 'Alice', 'a1');
