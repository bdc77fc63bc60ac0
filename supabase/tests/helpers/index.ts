export { anonClient, serviceClient, signedInClient, superuserSql } from './clients.ts';
