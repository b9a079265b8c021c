import http from 'node:http'
const PORT=3130, host='acme.localhost:3130'
const sfn = {'x-tsr-serverFn':'true', 'content-type':'application/json', accept:'application/json', host, origin:`http://${host}`}
function chunked(parts){ return new Promise(resolve=>{const t=Date.now();const r=http.request({host:'127.0.0.1',port:PORT,method:'POST',path:'/_serverFn/auth.signIn',headers:{...sfn,'transfer-encoding':'chunked'}},x=>{const c=[];x.on('data',d=>c.push(d));x.on('end',()=>resolve({ms:Date.now()-t,status:x.statusCode,text:Buffer.concat(c).toString().slice(0,100)}))}); r.on('error',e=>resolve({ms:Date.now()-t,error:e.code})); for(const p of parts) r.write(p); r.end()})}
console.log('small', await chunked(['{"t":{"t":10,"i":0,"p":{"k":["data"],"v":[{"t":10,"i":1,"p":{"k":["email","password","rememberMe"],"v":[{"t":1,"s":"admin@acme.test"},{"t":1,"s":"wrong-pass"},{"t":2,"s":2}]},"o":0}]},"o":0},"f":127,"m":[]}']))
console.log('big', await chunked(Array.from({length:40},()=>'x'.repeat(64*1024))))
