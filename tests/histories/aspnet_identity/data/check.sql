SELECT "Id", "UserName", "NormalizedEmail" FROM "AspNetUsers"
SELECT "UserId", "RoleId" FROM "AspNetUserRoles"
-- the tokens table was rebuilt on SQLite for its new foreign key
SELECT "UserId", "LoginProvider", "Name", "Value" FROM "AspNetUserTokens"
SELECT "Id", "ClaimType", "ClaimValue" FROM "AspNetUserClaims"
