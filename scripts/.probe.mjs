import http from 'node:http'
import { toJSONAsync } from 'seroval'
const PORT=3130
function req({method='POST', path, host, headers={}, body, absolute}) {
  return new Promise((resolve)=>{
    const r = http.request({host:'127.0.0.1', port:PORT, method, path: absolute ?? path, headers:{host, ...headers}}, res=>{
      const c=[]; res.on('data',d=>c.push(d)); res.on('end',()=>resolve({status:res.statusCode, headers:res.headers, text:Buffer.concat(c).toString().slice(0,300)}))
    })
    r.on('error', e=>resolve({error:e.code}))
    if (body) r.write(body)
    r.end()
  })
}
const host='acme.localhost:3130'
const sfn = {'x-tsr-serverFn':'true', 'content-type':'application/json', accept:'application/json'}
// sign in
const si = await new Promise(res=>{const r=http.request({host:'127.0.0.1',port:PORT,method:'POST',path:'/_serverFn/auth.signIn',headers:{host,origin:`http://${host}`,...sfn}},x=>{const c=[];x.on('data',d=>c.push(d));x.on('end',()=>res({status:x.statusCode,cookies:x.headers['set-cookie']}))});r.end(`{"t":{"t":10,"i":0,"p":{"k":["data"],"v":[{"t":10,"i":1,"p":{"k":["email","password","rememberMe"],"v":[{"t":1,"s":"admin@acme.test"},{"t":1,"s":"demo-password"},{"t":2,"s":2}]},"o":0}]},"o":0},"f":127,"m":[]}`)})
console.log('signin', si.status)
const cookie = si.cookies?.map(c=>c.split(';')[0]).find(c=>c.startsWith('haven.session_token'))
const payload = (d)=>encodeURIComponent(JSON.stringify(d))
// NUL in q via GET
const enc = async d => JSON.stringify(await toJSONAsync({data:d}))
let p = await enc({q:'a\u0000b'})
console.log('NUL q', await req({method:'GET', path:`/_serverFn/users.listUsers?payload=${encodeURIComponent(p)}`, host, headers:{...sfn, cookie}}))
p = await enc({cursor: Buffer.from(JSON.stringify({v:'a', id:'-'.repeat(36)})).toString('base64url')})
console.log('cursor', await req({method:'GET', path:`/_serverFn/users.listUsers?payload=${encodeURIComponent(p)}`, host, headers:{...sfn, cookie}}))
console.log('64MB declared', await req({path:'/_serverFn/auth.signIn', host, headers:{...sfn, origin:`http://${host}`, 'content-length': String(64*1024*1024)}, body: 'x'.repeat(1000)}))
// chunked 2MB
const big = await new Promise(resolve=>{const r=http.request({host:'127.0.0.1',port:PORT,method:'POST',path:'/_serverFn/auth.signIn',headers:{host,origin:`http://${host}`,...sfn,'transfer-encoding':'chunked'}},x=>{const c=[];x.on('data',d=>c.push(d));x.on('end',()=>resolve({status:x.statusCode,text:Buffer.concat(c).toString().slice(0,200)}))}); r.on('error',e=>resolve({error:e.code})); for(let i=0;i<40;i++) r.write('x'.repeat(64*1024)); r.end()})
console.log('chunked 2.5MB', big)
const small = await new Promise(resolve=>{const r=http.request({host:'127.0.0.1',port:PORT,method:'POST',path:'/_serverFn/auth.signIn',headers:{host,origin:`http://${host}`,...sfn,'transfer-encoding':'chunked'}},x=>{const c=[];x.on('data',d=>c.push(d));x.on('end',()=>resolve({status:x.statusCode,text:Buffer.concat(c).toString().slice(0,200)}))}); r.on('error',e=>resolve({error:e.code})); enc({email:'admin@acme.test',password:'wrong-password',rememberMe:true}).then(b=>{r.write(b.slice(0,10)); r.end(b.slice(10))})})
console.log('chunked small', small)
p = await enc({name:'Zz absolute '+Date.now(), description:''})
console.log('absolute URI', await req({absolute:`http://globex.localhost:3130/_serverFn/teams.createOrganization`, host, headers:{...sfn, origin:'http://globex.localhost:3130', cookie}, body:p}))
console.log('origin mismatch', await req({path:`/_serverFn/teams.createOrganization`, host, headers:{...sfn, origin:'http://globex.localhost:3130', cookie}, body:p}))
