// Words that head every published ranking of leaked passwords: the UK NCSC's analysis of the
// 100,000 most frequent passwords in Have I Been Pwned (2019), SplashData's yearly "worst
// passwords" lists (2011-2019) and NordPass's yearly top-200 lists (2019-2024). Typed in here by
// hand from those public rankings (no list was copied), in lower case and after the
// normalisation of password-policy.ts: a password whose words are all in here, or which is one of
// the keyboard walks below as a whole, is refused. Plus this product's own words (NIST SP 800-63B
// 5.1.1.2: "context-specific words, such as the name of the service").
const RANKED = `
password passwd pass passw0rd admin administrator root guest user login welcome changeme default secret
letmein iloveyou loveyou love lovely loveme trustno1 whatever master hello hi test tester testing temp
qwerty qwertyuiop qwertz azerty asdf asdfgh asdfghjkl zxcvbn zxcvbnm qazwsx qazwsxedc qweasd qweasdzxc
abc abcd abcdef abcdefg football soccer baseball basketball hockey golf tennis jordan michael jennifer
ashley jessica daniel charlie thomas robert andrew joshua matthew william david george donald superman
batman spiderman starwars pokemon naruto ninja dragon monkey tiger shadow hunter killer master maggie
sunshine princess flower butterfly rainbow freedom summer winter spring autumn monday friday
january february march april june july august september october november december
mustang ferrari porsche harley corvette liverpool chelsea arsenal barcelona
computer internet google samsung apple iphone microsoft windows linux facebook
cheese cookie chocolate pepper ginger banana orange cherry peanut coffee
matrix access secret hottie silver golden diamond heaven angel blessed jesus
mypassword mypass yourpassword thepassword newpassword oldpassword
smile film smilefilm dental dentist clinic harmony hub harmonyhub dentalharmony council applicator
operator technician reviewer auditor designer staff console
`
/** keyboard walks and number runs that are common as a whole, at 12 characters and more */
const WALKS = `
1qaz2wsx 1qaz2wsx3edc 1qaz2wsx3edc4rfv qwertyuiop[] qwertyuiop123 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y
1q2w3e4r5t6y7u 123qwe 123qweasd 123qweasdzxc qwe123 qwerty123456 zaq12wsx zaq1zaq1 !qaz@wsx
123456789012 1234567890123 111111111111 000000000000 123123123123 147258369147 123456789abc
`

export const COMMON_PASSWORD_WORDS: ReadonlySet<string> = new Set(RANKED.split(/\s+/).filter(Boolean))
export const COMMON_WALKS: ReadonlySet<string> = new Set(WALKS.split(/\s+/).filter(Boolean))
